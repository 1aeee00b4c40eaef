import { Boundary, boundaryContains, LatLng, OrgType } from '@xiangan/shared';
import type { DataSource, EntityManager } from 'typeorm';

export interface LocatedUnit {
  id: number;
  name: string;
  type: OrgType;
  path: string;
}

/**
 * The unit whose boundary holds the point, the deepest one when several do (a grid inside its village):
 * a range read on the stored boxes, then the exact polygon test on the few candidates.
 */
export async function locateUnit(ds: DataSource | EntityManager, p: LatLng): Promise<LocatedUnit | null> {
  const rows: { id: number; name: string; type: OrgType; path: string; boundary: string | null }[] = await ds.query(
    `SELECT id, name, type, path, boundary FROM org_unit
      WHERE archived = 0 AND minLat <= ? AND maxLat >= ? AND minLng <= ? AND maxLng >= ? ORDER BY id LIMIT 200`,
    [p.lat, p.lat, p.lng, p.lng],
  );
  const inside = rows
    .filter((r) => r.boundary && boundaryContains(JSON.parse(r.boundary) as Boundary, p))
    .sort((a, b) => b.path.length - a.path.length || Number(a.id) - Number(b.id));
  const u = inside[0];
  return u ? { id: Number(u.id), name: u.name, type: u.type, path: u.path } : null;
}
