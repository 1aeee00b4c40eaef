import { Injectable } from '@nestjs/common';
import { readPrepared } from '../../common/db/prepared';
import { HAZARD_STATUSES, HazardLedgerDto, HazardStatus } from '@xiangan/shared';
import { DataSource } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { dbTime, isMysql, readTime } from '../../common/db/dialect';
import { ScopeService } from '../../common/scope/scope.service';
import { subtreeSql } from '../../common/scope/subtree';
import { LedgerFilter, OPEN_WORK, rawLedgerConditions } from './hazard-ledger-filter';
import { chinaMonth, keyConditions, tallyUnitOf } from './hazard-tally';

export type StaleRow = { id: number | string; createdAt: Date | string };
/** Plain SQL conditions over alias `h` and their `?` parameters, in order. */
export type RawWhere = { conds: string[]; params: unknown[] };
/** A statement choosing one ledger page: its rows' `id`, `priority`, `createdAt`, the page's rows only. */
export type PageSql = { sql: string; params: unknown[] };
/** Where a page is read from: one walk of the urgency index over a subtree, or a walk per unit, merged. */
export type PagePlan = { walk: string | null } | { units: number[] };
const WORK_SQL = OPEN_WORK.map((x) => `'${x}'`).join(', ');
/** A units list at least this long may have been cut at MySQL's default `group_concat_max_len` (1,024 bytes). */
const GROUP_CONCAT_SAFE = 1000;

/** The filters a unit's matches are asked under: the key ones and the states. */
export type CountFilter = { statuses?: string[]; category?: string; level?: string };

/**
 * The units of the subtree (`prefix` null = everywhere) whose tally has matching hazards, as a condition over
 * org_unit `o`: every unit that holds matching hazards itself, and their ancestors inside the subtree (walking one
 * that holds none of its own costs one index dive) — the candidates of the ledger's per-unit page plan. A unit
 * qualifies at its first tally row with a match (rows never go below 0, so "some row > 0" is "the sum > 0"):
 * summing every matching row of every unit read a town's whole tally (thousands of rows, one per month of
 * deadlines) for a yes or no each.
 */
function unitsHoldingSql(prefix: string | null, f: CountFilter): { sql: string; params: unknown[] } {
  const key = keyConditions('t', f);
  const sub = prefix !== null ? subtreeSql('o.path', prefix) : null;
  return {
    sql: `${sub ? `${sub.sql} AND ` : ''}EXISTS (SELECT 1 FROM hazard_tally t WHERE t.unitId = o.id${key.conds.map((c) => ` AND ${c}`).join('')} AND t.n > 0)`,
    params: [...(sub ? sub.params : []), ...key.params],
  };
}

/**
 * The ledger's fast plan, for an officer over a subtree with no text search: the counts per state from hazard_tally
 * (plus the overdue work due this month, live), and the page in urgency order from the stored `priority`, read from
 * an index walk in that order, all in plain SQL (building and cloning a QueryBuilder for each read was a tenth of a
 * page's CPU, bench/RESULTS.md). HazardLedgerService chooses between this and the plain queries, and which walk.
 */
@Injectable()
export class HazardLedgerFastPlan {
  constructor(
    private readonly ds: DataSource,
    private readonly scope: ScopeService,
  ) {}

  /**
   * The plan's conditions as plain SQL over alias `h`, as the plain plan's base() and whereState() put them: `base`
   * the caller's subtree and every filter but the state ones (what the counts answer), `all` with the state filters too.
   */
  where(user: AuthUser, f: LedgerFilter, now: Date): { base: RawWhere; all: RawWhere } {
    const place: RawWhere = { conds: [], params: [] };
    for (const w of [this.scope.sql('h.orgPath', user), f.orgPath ? subtreeSql('h.orgPath', f.orgPath) : null]) {
      if (!w) continue;
      place.conds.push(w.sql);
      place.params.push(...w.params);
    }
    const join = (x: RawWhere): RawWhere => ({ conds: [...place.conds, ...x.conds], params: [...place.params, ...x.params] });
    return {
      base: join(rawLedgerConditions(this.ds, { ...f, statuses: undefined, overdue: undefined }, now)),
      all: join(rawLedgerConditions(this.ds, f, now)),
    };
  }

  /** How many hazards there are in all (tally unit 0): the planning estimate, re-read every 10 s. */
  private everythingCache = { n: 0, at: 0 };
  async everything(): Promise<number> {
    if (Date.now() - this.everythingCache.at > 10_000) {
      const r = await readPrepared<{ n: number | string }>(this.ds, 'SELECT COALESCE(SUM(n), 0) AS n FROM hazard_tally WHERE unitId = 0');
      this.everythingCache = { n: Number(r[0]?.n ?? 0), at: Date.now() };
    }
    return this.everythingCache.n;
  }

  /**
   * The subtree's counts per state (the key filters applied, the state ones not) and how many are overdue: those
   * that fell due before this month from the tally (the tally moves them out when closed), the rest live.
   *
   * One statement: the tally rows grouped by state alone — the primary key's order, no temporary table; at 1M
   * hazards a county's 2,800 tally rows take 0.9 ms this way against 2.3 ms grouped by state and month with ~80 rows
   * summed here (MariaDB, bench/RESULTS.md 2026-12-04 ledger) — carrying the live count (work due earlier this month
   * whose deadline has passed: a short range of idx_hazard_deadline) as an uncorrelated subquery, run once. It was
   * a second statement sent alongside; one round trip less for every ledger page. When the subtree has no tally rows
   * under these filters it has no such hazards either, so nothing is lost with the rows.
   *
   * With `unitsFor` (a page likely to walk per unit), the same statement also carries the units of the subtree
   * holding matches under those filters (state ones included), as a list: units()' read, which was
   * a statement of its own on every such page (bench/RESULTS.md 2026-12-05). `units` is null when not asked, or when
   * the list may have been cut short (MySQL's `group_concat_max_len` is 1,024 bytes by default): the caller then
   * reads them on their own.
   */
  async counts(
    subtree: string | null,
    key: { category?: string; level?: string },
    base: RawWhere,
    now: Date,
    unitsFor: CountFilter | null = null,
  ): Promise<{ counts: HazardLedgerDto['counts']; units: number[] | null }> {
    const counts: HazardLedgerDto['counts'] = {};
    for (const s of HAZARD_STATUSES) counts[s] = 0;
    const { month, start } = chinaMonth(now);
    const k = keyConditions('', key);
    const hint = isMysql(this.ds) ? ' USE INDEX (idx_hazard_deadline)' : '';
    const live = `SELECT COUNT(*) FROM hazard h${hint} WHERE ${[...base.conds, `h.status IN (${WORK_SQL}) AND h.deadline >= ? AND h.deadline < ?`].join(' AND ')}`;
    const holding = unitsFor ? unitsHoldingSql(subtree, unitsFor) : null;
    // (MAX of the one value: a column outside GROUP BY would be refused under ONLY_FULL_GROUP_BY, MySQL 8's default)
    const rows = await readPrepared<{
      status: HazardStatus;
      n: number | string;
      overdue: number | string;
      live: number | string | null;
      units?: string | null;
    }>(
      this.ds,
      `SELECT status, SUM(n) AS n, SUM(CASE WHEN dueMonth <> '' AND dueMonth < ? THEN n ELSE 0 END) AS overdue, MAX((${live})) AS live${
        holding ? `, MAX((SELECT GROUP_CONCAT(o.id) FROM org_unit o WHERE ${holding.sql})) AS units` : ''
      }
         FROM hazard_tally WHERE ${['unitId = ?', ...k.conds].join(' AND ')} GROUP BY status`,
      [month, ...base.params, dbTime(start), dbTime(now), ...(holding ? holding.params : []), tallyUnitOf(subtree), ...k.params],
    );
    let overdue = 0;
    for (const r of rows) {
      counts[r.status] = (counts[r.status] ?? 0) + Number(r.n);
      overdue += Number(r.overdue);
    }
    counts.overdue = overdue + Number(rows[0]?.live ?? 0);
    let units: number[] | null = null;
    if (holding) {
      // no tally row under the key filters: no match anywhere in the subtree, so no unit to walk
      const list = rows.length ? rows[0].units : '';
      const text = list == null ? '' : String(list);
      if (text.length < GROUP_CONCAT_SAFE) units = text ? text.split(',').map(Number) : [];
    }
    return { counts, units };
  }

  /** The units of the subtree holding matches (unitsHoldingSql), read on their own: when counts() did not carry them. */
  async units(prefix: string | null, f: CountFilter): Promise<number[]> {
    const w = unitsHoldingSql(prefix, f);
    const rows: { orgId: number | string }[] = await this.ds.query(`SELECT o.id AS orgId FROM org_unit o WHERE ${w.sql}`, w.params);
    return rows.map((r) => Number(r.orgId));
  }

  /**
   * Open work of the page's filters past its deadline whose stored priority has not caught up yet (the minute
   * job): idx_hazard_stale. Null when there are 1000 or more (the page then takes the plain query).
   */
  async staleWork(w: RawWhere, now: Date): Promise<StaleRow[] | null> {
    const hint = isMysql(this.ds) ? ' USE INDEX (idx_hazard_stale)' : '';
    const stale = await readPrepared<StaleRow>(
      this.ds,
      `SELECT h.id AS id, h.createdAt AS createdAt FROM hazard h${hint} WHERE ${[
        ...w.conds,
        `h.status IN (${WORK_SQL}) AND h.priority = 0 AND h.deadline < ?`,
      ].join(' AND ')} LIMIT 1000`,
      [...w.params, dbTime(now)],
    );
    return stale.length >= 1000 ? null : stale;
  }

  /**
   * One page of the ledger in urgency order (priority DESC, createdAt DESC, id DESC) for an officer's subtree:
   * either one walk down idx_hazard_rank filtered by the subtree's path in the index (`walk`: cheap when the
   * subtree holds a good share of all hazards, e.g. a county), or per unit — each unit walks its own entries in order
   * and stops after skip + pageSize matches — merged (`units`: a town or a village). A unit's walk is
   * idx_hazard_unit_category under a category filter (only that category's entries), else idx_hazard_unit_page.
   * Work past its deadline whose stored priority has not caught up yet (the minute job) is found by
   * idx_hazard_stale and ranked as overdue, so the order is exact. Null when the merge would read too much
   * (very deep pages of a big subtree): the caller falls back to the plain query. With no such stale work (the
   * usual case: the minute job keeps up) the database orders and cuts the page itself, and what comes back is that
   * statement, for the rows' read to wrap: the page costs one round trip instead of two.
   */
  async page(stale: StaleRow[] | null, plan: PagePlan, f: LedgerFilter, skip: number, pageSize: number, now: Date): Promise<number[] | PageSql | null> {
    if ('units' in plan && !plan.units.length) return [];
    if (!stale) return null;
    const limit = skip + pageSize + stale.length;
    if ('units' in plan && plan.units.length * limit > 50_000) return null;

    const { conds, params } = rawLedgerConditions(this.ds, f, now);
    const mysql = isMysql(this.ds);
    const order = `ORDER BY h.priority DESC, h.createdAt DESC, h.id DESC LIMIT ${limit}`;
    let sql: string;
    let all: unknown[];
    if ('walk' in plan) {
      const walk = plan.walk ? subtreeSql('h.orgPath', plan.walk) : null;
      const where = [...(walk ? [walk.sql] : []), ...conds];
      const hint = mysql ? ' FORCE INDEX (idx_hazard_rank)' : '';
      const cut = stale.length ? `LIMIT ${limit}` : `LIMIT ${pageSize} OFFSET ${skip}`;
      sql = `SELECT h.id, h.priority, h.createdAt FROM hazard h${hint}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY h.priority DESC, h.createdAt DESC, h.id DESC ${cut}`;
      all = [...(walk ? walk.params : []), ...params];
      if (!stale.length) return { sql, params: all };
    } else {
      const hint = mysql ? ` FORCE INDEX (${f.category ? 'idx_hazard_unit_category' : 'idx_hazard_unit_page'})` : '';
      const extra = conds.length ? ` AND ${conds.join(' AND ')}` : '';
      const parts: string[] = [];
      all = [];
      plan.units.forEach((u, i) => {
        parts.push(
          `SELECT id, priority, createdAt FROM (SELECT h.id, h.priority, h.createdAt FROM hazard h${hint} WHERE h.orgId = ${Number(u)}${extra} ${order}) u${i}`,
        );
        all.push(...params);
      });
      sql = parts.join(' UNION ALL ');
      if (!stale.length) return { sql: `${sql} ORDER BY priority DESC, createdAt DESC, id DESC LIMIT ${pageSize} OFFSET ${skip}`, params: all };
    }
    const rows = await readPrepared<{ id: number | string; priority: number | string; createdAt: Date | string }>(this.ds, sql, all);
    const ms = (v: unknown) => readTime(v)?.getTime() ?? NaN;
    const merged = new Map<number, { id: number; p: number; at: number }>();
    for (const r of rows) merged.set(Number(r.id), { id: Number(r.id), p: Number(r.priority), at: ms(r.createdAt) });
    for (const r of stale) {
      const cur = merged.get(Number(r.id));
      if (cur) cur.p = Math.max(cur.p, 1);
      else merged.set(Number(r.id), { id: Number(r.id), p: 1, at: ms(r.createdAt) });
    }
    return [...merged.values()]
      .sort((a, b) => b.p - a.p || b.at - a.at || b.id - a.id)
      .slice(skip, skip + pageSize)
      .map((r) => r.id);
  }
}
