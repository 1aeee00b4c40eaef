import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import {
  FIELD_KINDS,
  FieldKindStats,
  FieldStats,
  FieldType,
  FieldUnitRef,
  isSnapshotMetric,
  kindLabel,
  SNAPSHOT_KINDS,
  SNAPSHOT_METRICS,
} from '@xiangan/shared';
import { DataSource, Repository } from 'typeorm';
import type { SqlRow } from '../../common/db/sql-row';
import { marks, num } from '../../common/db/sql';
import { childOfPath, Period, splitByMonths, StatsSource } from '../../common/stats/period';
import { OrgUnit } from '../orgs/org-unit.entity';
import { FieldRecord, FieldRecordHazard } from './field-record.entity';
import { subtreeSql, subtreeWhere } from '../../common/scope/subtree';

/** Field work's figures for a period; stats composes them with the ledger's into the summary's sectors and units. */
export interface FieldworkAgg extends Pick<FieldStats, 'records' | 'byKind' | 'campaigns' | 'drills'> {
  /** Records per (type, kind, sector) of the records that name a sector. */
  sectorRows: { type: string; kind: string; sector: string; records: number }[];
  /** Metric sums per (type, sector, metric) of those records. */
  sectorMetricRows: { type: string; sector: string; metric: string; value: number }[];
  /** Records and inspections per child unit of the asked unit (its id; '' for the unit itself). */
  byChild: Map<string, { records: number; inspections: number }>;
}

/** An activity record that names units (责任书, 应急预案备案, 宣传进…), as the distinct-unit counts read it. */
export interface UnitRecord {
  kind: string;
  sector: string | null;
  units: FieldUnitRef[] | string | null;
  metrics: Record<string, number> | string | null;
}

/** Field work's statistics source: read from its own tables (field_record, field_month, field_metric, field_record_hazard). */
@Injectable()
export class FieldworkStatsSource implements StatsSource<FieldworkAgg> {
  constructor(
    @InjectRepository(FieldRecord) private readonly fieldRecords: Repository<FieldRecord>,
    @InjectRepository(FieldRecordHazard) private readonly fieldRecordHazards: Repository<FieldRecordHazard>,
    @InjectRepository(OrgUnit) private readonly orgs: Repository<OrgUnit>,
    @InjectDataSource() private readonly ds: DataSource,
  ) {}

  /**
   * Field work in the period, under the unit. Record counts and metric sums: whole China months from the rollup
   * field_month (kept with every record write), the days at either edge from field_record / field_metric; the
   * same figures as one pass over the period's rows. Head-counts, 专项行动 and drills are read live (short ranges).
   */
  async stats(org: OrgUnit, p: Period): Promise<FieldworkAgg> {
    const under = subtreeSql('orgPath', org.path);
    const [recUnder, sp] = subtreeWhere('r.orgPath', org.path, 'p');
    const scope = { ...sp, from: p.from, to: p.to };
    const { months, edges } = splitByMonths(p.from, p.to);
    const snapMarks = marks(SNAPSHOT_KINDS.length);
    const edgeDays = edges.map(() => '(date >= ? AND date <= ?)').join(' OR ');
    const edgeArgs = edges.flatMap((e) => [e.from, e.to]);
    const none = Promise.resolve([] as SqlRow[]);
    // Records per (orgPath, type, kind, sector) — the child unit comes from the path.
    const recParts: Promise<SqlRow[]>[] = [
      months
        ? this.ds.query(
            `SELECT orgPath, type, kind, sector, SUM(n) AS n FROM field_month WHERE month >= ? AND month <= ? AND ${under.sql} AND metric = ''
              GROUP BY orgPath, type, kind, sector`,
            [months.first, months.last, ...under.params],
          )
        : none,
      edges.length
        ? this.ds.query(
            `SELECT orgPath, type, kind, sector, COUNT(*) AS n FROM field_record WHERE ${under.sql} AND (${edgeDays}) GROUP BY orgPath, type, kind, sector`,
            [...under.params, ...edgeArgs],
          )
        : none,
    ];
    // Metric sums per (type, kind, sector, metric), head-count kinds aside; `n` = metric rows (a metric entered as 0 still shows).
    const metricParts: Promise<SqlRow[]>[] = [
      months
        ? this.ds.query(
            `SELECT type, kind, sector, metric, SUM(n) AS n, SUM(total) AS v FROM field_month
              WHERE month >= ? AND month <= ? AND ${under.sql} AND metric <> '' AND kind NOT IN (${snapMarks})
              GROUP BY type, kind, sector, metric`,
            [months.first, months.last, ...under.params, ...SNAPSHOT_KINDS],
          )
        : none,
      edges.length
        ? this.ds.query(
            `SELECT type, kind, sector, metric, COUNT(*) AS n, SUM(value) AS v FROM field_metric
              WHERE ${under.sql} AND (${edgeDays}) AND kind NOT IN (${snapMarks}) GROUP BY type, kind, sector, metric`,
            [...under.params, ...edgeArgs, ...SNAPSHOT_KINDS],
          )
        : none,
    ];
    // Head-counts (两站两员, 安全管理员, 执法证): per unit, the latest value entered in or before the period's end, summed
    // over units — a snapshot, never a sum over months, and still there in a period without a record.
    const snapPairs = Object.entries(SNAPSHOT_METRICS).flatMap(([tk, ms]) => ms.map((m) => [...tk.split('.'), m] as [string, string, string]));
    const snapWhere = snapPairs.map(() => '(type = ? AND kind = ? AND metric = ?)').join(' OR ');
    const snapQuery: Promise<SqlRow[]> = this.ds.query(
      `SELECT m.id AS id, m.orgPath AS orgPath, m.type AS type, m.kind AS kind, m.metric AS metric, m.value AS v FROM field_metric m
         JOIN (SELECT orgPath, type, kind, metric, MAX(date) AS d FROM field_metric
                WHERE (${snapWhere}) AND ${under.sql} AND date <= ? GROUP BY orgPath, type, kind, metric) last
           ON m.orgPath = last.orgPath AND m.type = last.type AND m.kind = last.kind AND m.metric = last.metric AND m.date = last.d
        ORDER BY m.id`,
      [...snapPairs.flat(), ...under.params, p.to],
    );
    // 专项行动: idx_field_record_campaign (campaign, orgPath, date) holds every column, and only records naming one.
    const campaignQuery = this.fieldRecords
      .createQueryBuilder('r')
      .select('r.campaign', 'name')
      .addSelect('COUNT(*)', 'n')
      .addSelect('MIN(r.date)', 'first')
      .addSelect('MAX(r.date)', 'last')
      .where(`${recUnder} AND r.date >= :from AND r.date <= :to`, scope)
      .andWhere('r.campaign IS NOT NULL')
      .groupBy('r.campaign')
      .orderBy('MIN(r.date)', 'ASC')
      .limit(50)
      .getRawMany();
    const drillQuery = this.fieldRecords
      .createQueryBuilder('r')
      .where(`r.type = 'drill' AND ${recUnder} AND r.date >= :from AND r.date <= :to`, scope)
      .orderBy('r.date', 'ASC')
      .addOrderBy('r.id', 'ASC')
      .limit(100)
      .getMany();
    const [recRows, metricRows, snapRows, campaignRows, drillRows] = await Promise.all([
      Promise.all(recParts).then((parts) => mergeRows(parts.flat(), ['orgPath', 'type', 'kind', 'sector'], false)),
      Promise.all(metricParts).then((parts) => mergeRows(parts.flat(), ['type', 'kind', 'sector', 'metric'], true)),
      snapQuery,
      campaignQuery,
      drillQuery,
    ]);
    const drillOrgs = drillRows.length ? await this.orgs.findByIds([...new Set(drillRows.map((d) => d.orgId))]) : [];

    const kinds = new Map<string, FieldKindStats>();
    const kindOf = (type: FieldType, kind: string) => {
      const key = `${type}.${kind}`;
      let k = kinds.get(key);
      if (!k) kinds.set(key, (k = { type, kind, label: kindLabel(type, kind), records: 0, metrics: {} }));
      return k;
    };
    const byChild = new Map<string, { records: number; inspections: number }>();
    let records = 0;
    const sectorRows: { type: string; kind: string; sector: string; records: number }[] = [];
    const sectorOf = (k: FieldKindStats, sector: string) => ((k.bySector ??= {})[sector] ??= { records: 0, metrics: {} });
    for (const r of recRows) {
      const n = num(r.n);
      records += n;
      kindOf(r.type, r.kind).records += n;
      if (r.sector) sectorOf(kindOf(r.type, r.kind), r.sector).records += n;
      if (r.sector) sectorRows.push({ type: r.type, kind: r.kind, sector: r.sector, records: n });
      const ck = childOfPath(r.orgPath, org.path);
      const c = byChild.get(ck) ?? { records: 0, inspections: 0 };
      c.records += n;
      if (r.type === 'inspection') c.inspections += n;
      byChild.set(ck, c);
    }
    const sectorMetricRows: { type: string; sector: string; metric: string; value: number }[] = [];
    for (const m of metricRows) {
      if (isSnapshotMetric(m.type, m.kind, m.metric)) continue;
      const k = kindOf(m.type, m.kind);
      k.metrics[m.metric] = round2((k.metrics[m.metric] ?? 0) + num(m.v));
      if (m.sector) {
        sectorMetricRows.push({ type: m.type, sector: m.sector, metric: m.metric, value: num(m.v) });
        const bs = sectorOf(k, m.sector);
        bs.metrics[m.metric] = round2((bs.metrics[m.metric] ?? 0) + num(m.v));
      }
    }
    // The latest row per (unit, metric) — the highest id on the latest day — summed over units.
    const latest = new Map<string, SqlRow>();
    for (const m of snapRows) latest.set(`${m.orgPath}\u0000${m.type}.${m.kind}.${m.metric}`, m);
    for (const m of latest.values()) {
      const k = kindOf(m.type, m.kind);
      k.metrics[m.metric] = round2((k.metrics[m.metric] ?? 0) + num(m.v));
    }
    // Keep the catalogue's order so the report reads the same every year.
    const order = Object.entries(FIELD_KINDS).flatMap(([t, ks]) => Object.keys(ks).map((k) => `${t}.${k}`));
    const byKind = [...kinds.values()].sort((a, b) => order.indexOf(`${a.type}.${a.kind}`) - order.indexOf(`${b.type}.${b.kind}`));
    return {
      records,
      byKind,
      sectorRows,
      sectorMetricRows,
      byChild,
      campaigns: campaignRows.map((c) => ({ name: c.name, records: num(c.n), firstDate: c.first, lastDate: c.last })),
      drills: drillRows.map((d) => ({
        id: d.id,
        date: d.date,
        kind: d.kind,
        label: kindLabel('drill', d.kind),
        title: d.title,
        participants: num(d.metrics?.participants),
        tags: d.tags ?? [],
        orgName: drillOrgs.find((o) => o.id === d.orgId)?.name ?? null,
      })),
    };
  }

  /** Ledger hazards found through field work: linked from inspections / enforcement dated in the period. */
  async linkedHazards(org: OrgUnit, p: Period): Promise<number> {
    const row: SqlRow | undefined = await this.fieldRecordHazards
      .createQueryBuilder('l')
      .select('COUNT(DISTINCT l.hazardId)', 'n')
      .where(...subtreeWhere('l.orgPath', org.path, 'p'))
      .andWhere('l.date >= :from AND l.date <= :to', p)
      .getRawOne();
    return num(row?.n);
  }

  /** Activity records of the given kinds dated in the period, in id order. */
  unitRecords(org: OrgUnit, p: Period, kinds: string[]): Promise<UnitRecord[]> {
    const under = subtreeSql('orgPath', org.path);
    return this.ds.query(
      `SELECT kind, sector, units, metrics FROM field_record WHERE type = 'activity' AND kind IN (${marks(kinds.length)})
        AND ${under.sql} AND date >= ? AND date <= ? ORDER BY id`,
      [...kinds, ...under.params, p.from, p.to],
    );
  }
}

/**
 * Rollup rows and edge rows of one grouping folded per key (sector '' = none, as the rollup stores it), groups that
 * hold no rows dropped, in key order (the order the GROUP BY over the base table listed them).
 */
function mergeRows(rows: SqlRow[], keys: string[], withValue: boolean): SqlRow[] {
  const out = new Map<string, SqlRow>();
  for (const r of rows) {
    const row: SqlRow = { ...r, sector: r.sector || null };
    const k = keys.map((c) => row[c] ?? '').join('\u0000');
    const cur = out.get(k);
    if (!cur) out.set(k, { ...row, n: num(row.n), ...(withValue ? { v: num(row.v) } : {}) });
    else {
      cur.n += num(row.n);
      if (withValue) cur.v += num(row.v);
    }
  }
  return [...out.keys()]
    .sort()
    .map((k) => out.get(k)!)
    .filter((r) => r.n > 0);
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
