import { Injectable } from '@nestjs/common';
import type { Role } from '@xiangan/shared';
import { DataSource } from 'typeorm';
import { marks } from '../../common/db/sql';
import { unitNameOfPath } from '../../common/db/unit-names';

/** Officer roles that answer for a unit's hazards (an admin account is not a person on duty). */
const DUTY_ROLES: Role[] = ['grid_officer', 'village_officer', 'town_officer', 'department_officer', 'county_officer'];

/** `/1/2/7/` → ['/1/2/7/', '/1/2/', '/1/'] (the unit, then each unit above it). */
export function pathsUp(path: string): string[] {
  const ids = path.split('/').filter(Boolean);
  return ids.map((_, i) => `/${ids.slice(0, ids.length - i).join('/')}/`);
}

/** An active officer as `onDuty` reads them. */
export interface OnDuty {
  id: number;
  orgPath: string;
  role: Role;
}

/**
 * Of `officers` (by id), those of the first unit of `chain` (a place, then the units above it) that has any: at most
 * 20, with that unit's path; null when none has.
 */
export function nearestIn(officers: OnDuty[], chain: string[]): { path: string; userIds: number[] } | null {
  for (const p of chain) {
    const ids = officers.filter((o) => o.orgPath === p).map((o) => o.id);
    if (ids.length) return { path: p, userIds: ids.slice(0, 20) };
  }
  return null;
}

/**
 * Who is told about a hazard: ONE resolver used by every hazard notice (new report, assignment, reminders, climbs,
 * escalation). A unit without an officer account passes its notices to the nearest unit above that has one,
 * so a notice always reaches a person.
 */
@Injectable()
export class HazardRecipients {
  constructor(private readonly ds: DataSource) {}

  /**
   * Officers of the nearest unit at or above `path` (or strictly above when `above`) that has any, limited to
   * `roles` when given. Answers the unit's path too (for the timeline), or null when nobody is found up to the root.
   */
  async nearest(path: string | null | undefined, opts: { above?: boolean; roles?: Role[] } = {}): Promise<{ path: string; userIds: number[] } | null> {
    if (!path) return null;
    const chain = pathsUp(path).slice(opts.above ? 1 : 0);
    return nearestIn(await this.onDuty(chain, opts.roles), chain);
  }

  /** The active officers (of `roles`, else every duty role) whose unit is one of `paths`, by id. */
  async onDuty(paths: string[], roles: Role[] = DUTY_ROLES): Promise<OnDuty[]> {
    if (!paths.length) return [];
    const rows: { id: number | string; orgPath: string; role: Role }[] = await this.ds.query(
      `SELECT id, orgPath, role FROM app_user WHERE orgPath IN (${marks(paths.length)})
         AND role IN (${marks(roles.length)}) AND disabled = 0 ORDER BY id`,
      [...paths, ...roles],
    );
    return rows.map((r) => ({ id: Number(r.id), orgPath: r.orgPath, role: r.role }));
  }

  /** Who answers for assigned work: the named officer (if still active), else the responsible unit's officers (or the nearest above). */
  async responsible(h: { responsibleUserId: number | null; responsibleOrgPath: string | null; orgPath: string }): Promise<number[]> {
    if (h.responsibleUserId) {
      const r = await this.ds.query('SELECT id FROM app_user WHERE id = ? AND disabled = 0', [h.responsibleUserId]);
      if (r.length) return [h.responsibleUserId];
    }
    return (await this.nearest(h.responsibleOrgPath ?? h.orgPath))?.userIds ?? [];
  }

  /** The county officers over a place (上报县级 and every climb is told to them). */
  async county(path: string): Promise<number[]> {
    return (await this.nearest(path, { roles: ['county_officer'] }))?.userIds ?? [];
  }

  /** The unit names along paths (for timeline notes). */
  unitName(path: string): Promise<string | null> {
    return unitNameOfPath(this.ds, path);
  }
}
