import { DataSource, EntityManager, In } from 'typeorm';
import { OrgUnit } from '../../modules/orgs/org-unit.entity';

/** The unit a path ends in: `/1/6/9/` → 9 (null for the root `/` or text that is not a path). */
export function unitIdOfPath(path: string | null | undefined): number | null {
  const last = (path ?? '').split('/').filter(Boolean).pop();
  const id = Number(last);
  return last && Number.isInteger(id) && id > 0 ? id : null;
}

/** Unit names by id, for the ids that exist (null, 0 and repeats are skipped; no query for none). */
export async function unitNames(db: DataSource | EntityManager, ids: Iterable<number | null | undefined>): Promise<Map<number, string>> {
  const unique = [...new Set([...ids].filter((x): x is number => !!x))];
  if (!unique.length) return new Map();
  const m = db instanceof DataSource ? db.manager : db;
  const rows = await m.find(OrgUnit, { where: { id: In(unique) }, select: { id: true, name: true } });
  return new Map(rows.map((o) => [o.id, o.name]));
}

/** The name of the unit a path ends in (null when there is none). */
export async function unitNameOfPath(db: DataSource | EntityManager, path: string | null | undefined): Promise<string | null> {
  const id = unitIdOfPath(path);
  return id === null ? null : ((await unitNames(db, [id])).get(id) ?? null);
}
