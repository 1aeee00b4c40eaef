import { HAZARD_OPEN_STATUSES, HazardCategory, HazardLevel, HazardStatus, parseBeijing } from '@xiangan/shared';
import { Brackets, DataSource, SelectQueryBuilder } from 'typeorm';
import { dbTime } from '../../common/db/dialect';
import type { HazardListQueryDto } from './dto/hazard.dto';
import { keyConditions } from './hazard-tally';
import type { Hazard } from './hazard.entity';
import { escapeLike, subtreeWhere } from '../../common/scope/subtree';

/** Work that can be overdue: assigned or being rectified, with a deadline. */
export const OPEN_WORK: HazardStatus[] = ['assigned', 'rectifying'];

/**
 * The ledger's and the export's filters as the queries use them, read from the request once (the request is left
 * as it came): the unit resolved to its path, the states split, the dates as instants.
 */
export interface LedgerFilter {
  /** Only the caller's own reports (always for a resident). */
  mine: boolean;
  /** The chosen unit's subtree, if one was chosen. */
  orgPath: string | null;
  statuses?: string[];
  category?: HazardCategory;
  level?: HazardLevel;
  overdue?: boolean;
  /** Free text: a code, or words of the description or address. */
  text?: string;
  from?: Date;
  to?: Date;
}

export function ledgerFilter(q: HazardListQueryDto, mine: boolean, orgPath: string | null): LedgerFilter {
  return {
    mine,
    orgPath,
    statuses: q.status ? q.status.split(',') : undefined,
    category: q.category,
    level: q.level,
    overdue: q.overdue,
    text: q.q || undefined,
    from: q.from ? parseBeijing(q.from, 'start') : undefined,
    to: q.to ? parseBeijing(q.to, 'end') : undefined,
  };
}

/** Every filter but the state ones (the counts per state answer these). */
export function whereLedger(ds: DataSource, qb: SelectQueryBuilder<Hazard>, me: number, f: LedgerFilter): SelectQueryBuilder<Hazard> {
  if (f.mine) qb.andWhere('h.reporterId = :mine', { mine: me });
  if (f.category) qb.andWhere('h.category = :category', { category: f.category });
  if (f.level) qb.andWhere('h.level = :level', { level: f.level });
  if (f.from) qb.andWhere('h.createdAt >= :from', { from: dbTime(f.from) });
  if (f.to) qb.andWhere('h.createdAt <= :to', { to: dbTime(f.to) });
  if (f.text) {
    // '!' as the LIKE escape (common/scope/subtree.ts): the same on MySQL and SQLite
    const s = escapeLike(f.text);
    qb.andWhere(
      new Brackets((w) =>
        w
          .where('h.code = :qExact', { qExact: f.text })
          .orWhere("h.description LIKE :qLike ESCAPE '!'", { qLike: `%${s}%` })
          .orWhere("h.address LIKE :qLike ESCAPE '!'"),
      ),
    );
  }
  if (f.orgPath) qb.andWhere(...subtreeWhere('h.orgPath', f.orgPath, 'op'));
  return qb;
}

/** The state filters: the states chosen, and overdue or not. */
export function whereState(ds: DataSource, qb: SelectQueryBuilder<Hazard>, f: LedgerFilter, now: Date): void {
  if (f.statuses) qb.andWhere('h.status IN (:...statuses)', { statuses: f.statuses });
  if (f.overdue === true) qb.andWhere('h.status IN (:...work) AND h.deadline < :now', { work: OPEN_WORK, now: dbTime(now) });
  if (f.overdue === false)
    qb.andWhere(
      new Brackets((w) =>
        w
          .where('h.status NOT IN (:...work)', { work: OPEN_WORK })
          .orWhere('h.deadline IS NULL')
          .orWhere('h.deadline >= :now', { now: dbTime(now) }),
      ),
    );
}

/** The ledger's order: open major hazards, then overdue, then newest. */
export function orderByUrgency(ds: DataSource, qb: SelectQueryBuilder<Hazard>, now: Date): SelectQueryBuilder<Hazard> {
  return qb
    .addSelect(
      `CASE WHEN h.level = 'major' AND h.status IN (:...openAll) THEN 0 WHEN h.status IN (:...work) AND h.deadline < :now THEN 1 ELSE 2 END`,
      'urgency',
    )
    .setParameters({ openAll: HAZARD_OPEN_STATUSES, work: OPEN_WORK, now: dbTime(now) })
    .orderBy('urgency', 'ASC')
    .addOrderBy('h.createdAt', 'DESC')
    .addOrderBy('h.id', 'DESC');
}

/** The filters an index walk applies (the fast plan: no text, not mine), as plain SQL over alias `h`. */
export function rawLedgerConditions(ds: DataSource, f: LedgerFilter, now: Date): { conds: string[]; params: unknown[] } {
  const { conds, params } = keyConditions('h', { statuses: f.statuses, category: f.category, level: f.level });
  if (f.from) {
    conds.push('h.createdAt >= ?');
    params.push(dbTime(f.from));
  }
  if (f.to) {
    conds.push('h.createdAt <= ?');
    params.push(dbTime(f.to));
  }
  if (f.overdue === false) {
    conds.push(`(h.status NOT IN ('assigned', 'rectifying') OR h.deadline IS NULL OR h.deadline >= ?)`);
    params.push(dbTime(now));
  }
  if (f.overdue === true) {
    conds.push(`h.status IN ('assigned', 'rectifying') AND h.deadline < ?`);
    params.push(dbTime(now));
  }
  return { conds, params };
}
