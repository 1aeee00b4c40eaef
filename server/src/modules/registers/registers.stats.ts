import { INCIDENT_KIND_LABELS, IncidentKind, RegisterStats, RISK_SITE_KIND_LABELS, RISK_SITE_KINDS, RiskSiteKind, WATER_SITE_KINDS } from '@xiangan/shared';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { SqlRow } from '../../common/db/sql-row';
import { num } from '../../common/db/sql';
import { Period, periodRange, StatsSource } from '../../common/stats/period';
import type { OrgUnit } from '../orgs/org-unit.entity';
import { subtreeSql } from '../../common/scope/subtree';

/** The registers' statistics source: read from their own tables (risk_site, site_patrol, incident). */
@Injectable()
export class RegisterStatsSource implements StatsSource<RegisterStats> {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /**
   * The registers as the report counts them: sites on the register during the period (added before its end, not
   * taken off before its start), their warning signs; patrols dated in the period; incidents dated in it.
   */
  async stats(org: OrgUnit, p: Period): Promise<RegisterStats> {
    const out: RegisterStats = { sites: [], reservoirsSmall2Up: 0, waterWarningSigns: 0, patrols: 0, incidents: [] };
    const ds = this.ds;
    const under = subtreeSql('orgPath', org.path);
    const { from: start, to: end } = periodRange(p);
    const [sites, patrols, incidents] = await Promise.all([
      ds.query(
        `SELECT kind, COUNT(*) AS n, SUM(warningSigns) AS signs, SUM(CASE WHEN sizeClass IS NOT NULL THEN 1 ELSE 0 END) AS sized FROM risk_site
        WHERE ${under.sql} AND createdAt < ? AND (archivedAt IS NULL OR archivedAt >= ?) GROUP BY kind`,
        [...under.params, end, start],
      ),
      ds.query(`SELECT kind, COUNT(*) AS n FROM site_patrol WHERE ${under.sql} AND date >= ? AND date <= ? GROUP BY kind`, [...under.params, p.from, p.to]),
      ds.query(
        `SELECT kind, COUNT(*) AS n, SUM(deaths) AS deaths, SUM(injuries) AS injuries FROM incident WHERE ${under.sql} AND date >= ? AND date <= ? GROUP BY kind`,
        [...under.params, p.from, p.to],
      ),
    ]);
    for (const kind of RISK_SITE_KINDS) {
      const s = sites.find((r: SqlRow) => r.kind === kind);
      const pt = patrols.find((r: SqlRow) => r.kind === kind);
      if (!s && !pt) continue;
      out.sites.push({ kind, ...RISK_SITE_KIND_LABELS[kind], count: num(s?.n), warningSigns: num(s?.signs), patrols: num(pt?.n) });
      if (kind === 'reservoir') out.reservoirsSmall2Up = num(s?.sized);
      if (WATER_SITE_KINDS.includes(kind as RiskSiteKind)) out.waterWarningSigns += num(s?.signs);
      out.patrols += num(pt?.n);
    }
    out.incidents = incidents.map((r: SqlRow) => ({
      kind: r.kind,
      label: INCIDENT_KIND_LABELS[r.kind as IncidentKind] ?? r.kind,
      count: num(r.n),
      deaths: num(r.deaths),
      injuries: num(r.injuries),
    }));
    return out;
  }

  /** Enterprises the risk-site register lists as a 加油站 (ids), anywhere. */
  async gasStationOrgIds(): Promise<Set<number>> {
    const rows: SqlRow[] = await this.ds.query(
      "SELECT DISTINCT enterpriseOrgId AS id FROM risk_site WHERE kind = 'gas_station' AND enterpriseOrgId IS NOT NULL",
    );
    return new Set(rows.map((r) => Number(r.id)));
  }
}
