import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import {
  distanceMeters,
  HAZARD_DUPLICATE_DAYS,
  HAZARD_DUPLICATE_RADIUS_M,
  HAZARD_MAP_MAX_POINTS,
  HAZARD_MAP_UNLOCATED_MAX,
  HAZARD_OPEN_STATUSES,
  HazardMapDto,
  isOverdue,
} from '@xiangan/shared';
import { DataSource, Repository } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { dbTime, isMysql, readTime } from '../../common/db/dialect';
import { MapQueryDto } from './dto/hazard.dto';
import { HazardAccess } from './hazard-access';
import type { ReportedHazard } from './hazard-submit-batcher';
import { Hazard } from './hazard.entity';
import { fieldError } from '../../common/http/field-labels';
import { marks } from '../../common/db/sql';

/** Where a probable duplicate of `h` may lie: its box of ±radius and the days before it (then `distanceM` decides). */
export function duplicateWindow(h: { lat: number; lng: number; createdAt: Date }) {
  const dLat = HAZARD_DUPLICATE_RADIUS_M / 111_320;
  const dLng = HAZARD_DUPLICATE_RADIUS_M / (111_320 * Math.max(0.1, Math.cos((h.lat * Math.PI) / 180)));
  return {
    since: new Date(h.createdAt.getTime() - HAZARD_DUPLICATE_DAYS * 86400_000),
    until: h.createdAt,
    la1: h.lat - dLat,
    la2: h.lat + dLat,
    ln1: h.lng - dLng,
    ln2: h.lng + dLng,
  };
}

/** Great-circle distance in metres (the one in `shared`, which the mini-program uses too). */
export const distanceM = distanceMeters;

/** The timeline note of a `duplicate` event naming the codes of the open reports close by. */
export function duplicateNote(codes: string[]): string {
  return `附近${HAZARD_DUPLICATE_RADIUS_M}米内${HAZARD_DUPLICATE_DAYS}天内有同类隐患：${codes.join('、')}`;
}

/** Where hazards lie: the officers' map and the open reports close to a hazard (probable duplicates). */
@Injectable()
export class HazardGeometryService {
  constructor(
    private readonly ds: DataSource,
    @InjectRepository(Hazard) private readonly hazards: Repository<Hazard>,
    private readonly access: HazardAccess,
  ) {}

  /** Open reports of the same category close by in the last days, in the viewer's scope. */
  async nearbyOpen(h: Hazard, user?: AuthUser): Promise<Hazard[]> {
    if (h.lat == null || h.lng == null) return [];
    const w = duplicateWindow({ lat: h.lat, lng: h.lng, createdAt: h.createdAt });
    const qb = this.hazards
      .createQueryBuilder('h')
      .where('h.category = :c', { c: h.category })
      .andWhere('h.createdAt >= :since AND h.createdAt <= :until', { since: dbTime(w.since), until: dbTime(w.until) })
      .andWhere('h.id <> :id', { id: h.id })
      .andWhere('h.status IN (:...open)', { open: HAZARD_OPEN_STATUSES })
      .andWhere('h.lat BETWEEN :la1 AND :la2 AND h.lng BETWEEN :ln1 AND :ln2', { la1: w.la1, la2: w.la2, ln1: w.ln1, ln2: w.ln2 })
      .orderBy('h.createdAt', 'DESC')
      .limit(20);
    if (user) this.access.applyScope(qb, user);
    const rows = await qb.getMany();
    return rows.filter((r) => distanceM({ lat: h.lat!, lng: h.lng! }, { lat: r.lat!, lng: r.lng! }) <= HAZARD_DUPLICATE_RADIUS_M);
  }

  /**
   * Open reports of the same category close by in the last days, for several new hazards in one statement
   * (a UNION ALL of one idx_hazard_dup range each); newest first per hazard, no scope (the job's view).
   *
   * Each part reads only the index: idx_hazard_dup is (category, status, lat, lng, createdAt), so a part is one range
   * per open state over the band of latitude, the longitude and the days tested inside the index (the primary key
   * rides along), and the codes are joined for the at most 20 rows it keeps. With the index led by the time instead,
   * a part walked every hazard of that category of the last days anywhere — a province on one database, all of them:
   * 477 index entries per report against 183 at 1M hazards, the same matches (bench/RESULTS.md 2026-12-04). On
   * MariaDB the index is named, so the optimizer does not estimate the ranges of five other indexes for each part.
   */
  async nearbyOpenMany(hs: ReportedHazard[]): Promise<Map<number, { id: number; code: string }[]>> {
    const located = hs.filter((h): h is ReportedHazard & { lat: number; lng: number } => h.lat != null && h.lng != null);
    const out = new Map<number, { id: number; code: string }[]>();
    if (!located.length) return out;
    const open = marks(HAZARD_OPEN_STATUSES.length);
    const hint = isMysql(this.ds) ? ' FORCE INDEX (idx_hazard_dup)' : '';
    const params: unknown[] = [];
    const parts = located.map((h, i) => {
      const w = duplicateWindow({ lat: h.lat, lng: h.lng, createdAt: new Date(h.createdAt) });
      params.push(h.id, h.category, dbTime(w.since), dbTime(w.until), h.id, ...HAZARD_OPEN_STATUSES, w.la1, w.la2, w.ln1, w.ln2);
      return `SELECT d${i}.forId, d${i}.id, x${i}.code, d${i}.lat, d${i}.lng, d${i}.createdAt
        FROM (SELECT ? AS forId, id, lat, lng, createdAt FROM hazard${hint} WHERE category = ? AND createdAt >= ? AND createdAt <= ?
        AND id <> ? AND status IN (${open}) AND lat BETWEEN ? AND ? AND lng BETWEEN ? AND ? ORDER BY createdAt DESC LIMIT 20) d${i}
        JOIN hazard x${i} ON x${i}.id = d${i}.id`;
    });
    const rows: { forId: number; id: number; code: string; lat: number; lng: number; createdAt: unknown }[] = await this.ds.query(
      parts.join(' UNION ALL '),
      params,
    );
    const byId = new Map(located.map((h) => [h.id, h]));
    rows.sort((a, b) => readTime(b.createdAt)!.getTime() - readTime(a.createdAt)!.getTime() || Number(b.id) - Number(a.id));
    for (const r of rows) {
      const h = byId.get(Number(r.forId))!;
      if (distanceM(h, { lat: Number(r.lat), lng: Number(r.lng) }) > HAZARD_DUPLICATE_RADIUS_M) continue;
      out.set(h.id, [...(out.get(h.id) ?? []), { id: Number(r.id), code: r.code }]);
    }
    return out;
  }

  /** The officers' map: open hazards in the box (at most HAZARD_MAP_MAX_POINTS), and those that have no position. */
  async map(user: AuthUser, q: MapQueryDto): Promise<HazardMapDto> {
    const [minLng, minLat, maxLng, maxLat] = q.bbox.split(',').map(Number);
    if (minLng > maxLng || minLat > maxLat || minLat < -90 || maxLat > 90 || minLng < -180 || maxLng > 180) {
      throw fieldError('bbox', '不对：最小经纬度须不大于最大经纬度');
    }
    const now = new Date();
    const qb = this.hazards
      .createQueryBuilder('h')
      .select(['h.id', 'h.code', 'h.lat', 'h.lng', 'h.status', 'h.level', 'h.category', 'h.deadline'])
      .where('h.status IN (:...open)', { open: HAZARD_OPEN_STATUSES })
      .andWhere('h.lat BETWEEN :minLat AND :maxLat AND h.lng BETWEEN :minLng AND :maxLng', { minLat, maxLat, minLng, maxLng });
    this.access.applyScope(qb, user);
    if (q.category) qb.andWhere('h.category = :c', { c: q.category });
    const rows = await qb
      .orderBy('h.createdAt', 'DESC')
      .take(HAZARD_MAP_MAX_POINTS + 1)
      .getMany();
    // Open hazards with no position cannot be drawn: say how many and list them, so the map's figure adds up.
    const nq = this.hazards
      .createQueryBuilder('h')
      .where('h.status IN (:...open)', { open: HAZARD_OPEN_STATUSES })
      .andWhere('(h.lat IS NULL OR h.lng IS NULL)');
    this.access.applyScope(nq, user);
    if (q.category) nq.andWhere('h.category = :c', { c: q.category });
    const [unlocatedRows, unlocatedTotal] = await nq.orderBy('h.createdAt', 'DESC').addOrderBy('h.id', 'DESC').take(HAZARD_MAP_UNLOCATED_MAX).getManyAndCount();
    const unames = await this.access.unitNames(unlocatedRows.map((h) => h.orgId));
    return {
      unlocated: {
        total: unlocatedTotal,
        items: unlocatedRows.map((h) => ({
          id: h.id,
          code: h.code,
          description: h.description.slice(0, 80),
          orgName: unames.get(h.orgId) ?? null,
          status: h.status,
        })),
      },
      truncated: rows.length > HAZARD_MAP_MAX_POINTS,
      points: rows.slice(0, HAZARD_MAP_MAX_POINTS).map((h) => ({
        id: h.id,
        code: h.code,
        lat: h.lat!,
        lng: h.lng!,
        status: h.status,
        level: h.level,
        category: h.category,
        overdue: isOverdue(h.status, h.deadline, now),
      })),
    };
  }
}
