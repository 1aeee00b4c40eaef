import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Boundary, boundaryContains, LatLng, OrgType } from '@xiangan/shared';
import type { DataSource, EntityManager, EntitySubscriberInterface, QueryRunner, Repository } from 'typeorm';
import { onPrimary } from '../../common/db/read-router';
import { readTime } from '../../common/db/dialect';
import type { SqlRow } from '../../common/db/sql-row';
import { OrgUnit } from './org-unit.entity';

export interface LocatedUnit {
  id: number;
  name: string;
  type: OrgType;
  path: string;
}

/** A unit with a boundary, as the locator holds it: the box first (cheap to test), then the polygon. */
export interface UnitShape extends LocatedUnit {
  minLat: number;
  maxLat: number;
  minLng: number;
  maxLng: number;
  boundary: Boundary;
}

/**
 * The unit whose boundary holds the point among `shapes`, the deepest one when several do (a grid inside its
 * village; equal depth: the smallest id): the box test, then the exact polygon test on the few candidates.
 */
export function pickUnit(shapes: readonly UnitShape[], p: LatLng): LocatedUnit | null {
  let best: UnitShape | null = null;
  for (const s of shapes) {
    if (s.minLat > p.lat || s.maxLat < p.lat || s.minLng > p.lng || s.maxLng < p.lng) continue;
    if (best && (s.path.length < best.path.length || (s.path.length === best.path.length && s.id > best.id))) continue;
    if (boundaryContains(s.boundary, p)) best = s;
  }
  return best && { id: best.id, name: best.name, type: best.type, path: best.path };
}

/**
 * The unit whose boundary holds the point, read from the database on every call (a range read on the stored
 * boxes, then the exact polygon test on the candidates). The requests use UnitLocator, which holds the same
 * shapes in memory; this stays as its reference (the locator's spec compares the two).
 */
export async function locateUnit(ds: DataSource | EntityManager, p: LatLng): Promise<LocatedUnit | null> {
  const rows: SqlRow[] = await ds.query(
    `SELECT id, name, type, path, boundary, minLat, maxLat, minLng, maxLng FROM org_unit
      WHERE archived = 0 AND boundary IS NOT NULL AND minLat <= ? AND maxLat >= ? AND minLng <= ? AND maxLng >= ?`,
    [p.lat, p.lat, p.lng, p.lng],
  );
  return pickUnit(
    rows.map(shapeOf).filter((s): s is UnitShape => s !== null),
    p,
  );
}

/**
 * How long this process trusts its copy of the boundaries without asking the database whether any unit changed
 * (one `COUNT(*), MAX(updatedAt)` of org_unit). A change through this process's TypeORM (setting or clearing a
 * boundary, archiving, moving or renaming a unit, an import) drops the copy at once; a change made by another
 * server process, or by hand in SQL on MariaDB (its `ON UPDATE` stamps updatedAt), is seen within this bound —
 * the same bound as the auth guard's user rows.
 */
export const UNIT_LOCATE_CHECK_MS = 3_000;
/** A stamp whose newest change is this recent is not trusted (a second change in the same millisecond would not move it). */
const UNSETTLED_MS = 2_000;

/**
 * Which unit a position lies in (the report's place, GET /api/orgs/locate), from the boundaries held in memory:
 * a report no longer reads org_unit and parses every candidate's GeoJSON. Every unit with a boundary is held
 * (a county's grids: a few hundred polygons), not positions or cells, so what a request costs does not depend on
 * where it lies. Answers exactly what `locateUnit` answers against the database.
 */
@Injectable()
export class UnitLocator {
  private readonly ds: DataSource;
  private shapes: UnitShape[] | null = null;
  private stamp: string | null = null;
  private checkedAt = 0;
  private loading: Promise<UnitShape[]> | null = null;
  /** Bumped on every change seen: a load that raced one is used once but not kept. */
  private generation = 0;
  /** Transactions (by query runner) that changed a unit and have not committed yet: the copy is dropped again at their commit. */
  private readonly changedIn = new WeakSet<QueryRunner>();

  constructor(@InjectRepository(OrgUnit) orgs: Repository<OrgUnit>) {
    this.ds = orgs.manager.connection;
    const changed = (qr: QueryRunner | undefined) => {
      this.invalidate();
      if (qr?.isTransactionActive) this.changedIn.add(qr);
    };
    // registered on this app's DataSource only, so test apps never share a copy
    const subscriber: EntitySubscriberInterface<OrgUnit> = {
      listenTo: () => OrgUnit,
      afterInsert: (e) => changed(e.queryRunner),
      afterUpdate: (e) => changed(e.queryRunner),
      afterRemove: (e) => changed(e.queryRunner),
      afterSoftRemove: (e) => changed(e.queryRunner),
      afterTransactionCommit: (e) => {
        if (!this.changedIn.has(e.queryRunner)) return;
        this.changedIn.delete(e.queryRunner);
        this.invalidate();
      },
      afterTransactionRollback: (e) => {
        this.changedIn.delete(e.queryRunner);
      },
    };
    this.ds.subscribers.push(subscriber);
  }

  /** Drops the copy: the next call reads every boundary again. */
  invalidate(): void {
    this.generation += 1;
    this.shapes = null;
    this.stamp = null;
    this.loading = null;
  }

  async locate(p: LatLng): Promise<LocatedUnit | null> {
    return pickUnit(await this.current(), p);
  }

  private current(): Promise<UnitShape[]> | UnitShape[] {
    if (this.shapes && Date.now() - this.checkedAt < UNIT_LOCATE_CHECK_MS) return this.shapes;
    if (!this.loading) {
      const mine: Promise<UnitShape[]> = this.refresh().finally(() => {
        if (this.loading === mine) this.loading = null;
      });
      this.loading = mine;
    }
    return this.loading;
  }

  /** Asks whether any unit changed since the copy was read; reads every boundary again when one did. Always on the primary. */
  private refresh(): Promise<UnitShape[]> {
    return onPrimary(async () => {
      const gen = this.generation;
      const started = Date.now();
      const [v]: SqlRow[] = await this.ds.query('SELECT COUNT(*) AS n, MAX(updatedAt) AS at, CURRENT_TIMESTAMP AS now FROM org_unit');
      const at = readTime(v.at)?.getTime() ?? 0;
      const now = readTime(v.now)?.getTime() ?? NaN;
      // an unsettled or unreadable stamp never matches: the copy is read again on the next check
      const stamp = Number.isFinite(now) && now - at >= UNSETTLED_MS ? `${Number(v.n)}|${at}` : null;
      if (this.shapes && stamp !== null && stamp === this.stamp && gen === this.generation) {
        this.checkedAt = started;
        return this.shapes;
      }
      const rows: SqlRow[] = await this.ds.query(
        'SELECT id, name, type, path, boundary, minLat, maxLat, minLng, maxLng FROM org_unit WHERE archived = 0 AND boundary IS NOT NULL ORDER BY id',
      );
      const shapes = rows.map(shapeOf).filter((s): s is UnitShape => s !== null);
      if (gen === this.generation) {
        this.shapes = shapes;
        this.stamp = stamp;
        this.checkedAt = started;
      }
      return shapes;
    });
  }
}

/** A row of org_unit as a shape; null when it has no usable boundary or box. */
function shapeOf(r: SqlRow): UnitShape | null {
  if (r.boundary == null || r.minLat == null || r.maxLat == null || r.minLng == null || r.maxLng == null) return null;
  const boundary = (typeof r.boundary === 'string' ? JSON.parse(r.boundary) : r.boundary) as Boundary | null;
  if (!boundary) return null;
  return {
    id: Number(r.id),
    name: String(r.name),
    type: r.type as OrgType,
    path: String(r.path),
    minLat: Number(r.minLat),
    maxLat: Number(r.maxLat),
    minLng: Number(r.minLng),
    maxLng: Number(r.maxLng),
    boundary,
  };
}
