import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { HazardCategory, HazardLevel, HazardStatus } from '@xiangan/shared';
import { CreatedAtColumn, DateTimeColumn, DoubleColumn, OrgPathColumn, UpdatedAtColumn } from '../../common/db/columns';

/**
 * A hazard (隐患). Indexes are laid out for the ledger at a million rows: the scope prefix
 * (`orgPath LIKE '/1/6/%'`) leads, then the columns the ledger filters, counts and sorts by, so the
 * counts per state and the page of ids come from the index alone (see hazard-ledger.service list).
 */
@Entity('hazard')
@Index('uq_hazard_code', ['code'], { unique: true })
@Index('uq_hazard_client_key', ['reporterId', 'clientKey'], { unique: true })
/** The ledger page, one unit at a time, read in urgency order from the index alone (see HazardLedgerQuery). */
@Index('idx_hazard_unit_page', ['orgId', 'priority', 'createdAt', 'id', 'status', 'category', 'level', 'deadline'])
/**
 * The same walk for one category (a town's category filter): each unit reads only that category's entries, in urgency
 * order, instead of walking all of its entries for the ~1 in 14 that match (bench/RESULTS.md 2026-12-04 ledger2).
 */
@Index('idx_hazard_unit_category', ['orgId', 'category', 'priority', 'createdAt', 'id', 'status', 'level', 'deadline'])
/** Open work of a subtree: the overdue count and the overdue page (status leads, so the subtree range is short). */
@Index('idx_hazard_work', ['status', 'orgPath', 'deadline', 'category', 'level', 'priority', 'createdAt'])
/** Open work whose stored priority lags its deadline (normally none; the refresh job empties it each minute). */
@Index('idx_hazard_stale', ['status', 'priority', 'deadline'])
@Index('idx_hazard_org_created', ['orgPath', 'createdAt'])
@Index('idx_hazard_responsible', ['responsibleOrgPath', 'status', 'createdAt'])
/** Reminders by deadline, and the live part of the ledger's overdue count (work due this month, before now). */
@Index('idx_hazard_deadline', ['status', 'deadline', 'orgPath', 'category', 'level'])
/** The ledger page of a subtree that holds much of everything (a county): one walk in urgency order, scope filtered in the index. */
@Index('idx_hazard_rank', ['priority', 'createdAt', 'id', 'orgPath', 'status', 'category', 'level', 'deadline'])
/**
 * Probable duplicates of a new report: same category, open, in a band of latitude (one range per open state), the
 * longitude and the last days tested inside the index — not every report of that category in the window everywhere.
 */
@Index('idx_hazard_dup', ['category', 'status', 'lat', 'lng', 'createdAt'])
@Index('idx_hazard_reporter', ['reporterId', 'createdAt'])
@Index('idx_hazard_created', ['createdAt'])
/** Statistics (stats module): every column the summary aggregates, so a county-year is one index-only pass grouped in index order. */
@Index('idx_hazard_stats', ['orgPath', 'category', 'status', 'level', 'createdAt', 'deadline', 'closedAt', 'escalatedTo'])
export class Hazard {
  @PrimaryGeneratedColumn()
  id: number;

  /** `YH-2026-000123`, numbered per year across every server process. */
  @Column({ type: 'varchar', length: 20 })
  code: string;

  @Column({ type: 'varchar', length: 24 })
  category: HazardCategory;

  @Column({ type: 'varchar', length: 8, default: 'general' })
  level: HazardLevel;

  @Column({ type: 'varchar', length: 12, default: 'reported' })
  status: HazardStatus;

  @Column({ type: 'varchar', length: 1000 })
  description: string;

  /**
   * Sort rank of the ledger's urgency order, stored so the page can be read in index order:
   * 2 = major and open, 1 = assigned/rectifying past its deadline, 0 = the rest. Set on every write;
   * a deadline passing is caught by the minute job and, exactly, by the ledger query itself.
   */
  @Column({ type: 'tinyint', default: 0 })
  priority: number;

  /** Content-security verdict of the description (`review` is held for officers only). */
  @Column({ type: 'varchar', length: 8, default: 'pass' })
  textCheck: string;

  @DoubleColumn()
  lat: number | null;

  @DoubleColumn()
  lng: number | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  address: string | null;

  /** The village / unit the hazard lies in. */
  @Column({ type: 'int' })
  orgId: number;

  @OrgPathColumn()
  orgPath: string;

  @Column({ type: 'int' })
  reporterId: number;

  @Column({ type: 'varchar', length: 24, nullable: true })
  reporterRole: string | null;

  /** Hidden from officials too. */
  @Column({ type: 'boolean', default: false })
  anonymous: boolean;

  @Column({ type: 'varchar', length: 20, nullable: true })
  contactPhone: string | null;

  @Column({ type: 'int', nullable: true })
  responsibleOrgId: number | null;

  @OrgPathColumn({ nullable: true })
  responsibleOrgPath: string | null;

  @Column({ type: 'int', nullable: true })
  responsibleUserId: number | null;

  @DateTimeColumn({ nullable: true })
  deadline: Date | null;

  /** County department the hazard was escalated to (上报县级). */
  @Column({ type: 'varchar', length: 60, nullable: true })
  escalatedTo: string | null;

  @Column({ type: 'int', nullable: true })
  duplicateOfId: number | null;

  @DateTimeColumn({ nullable: true })
  rectifiedAt: Date | null;

  @DateTimeColumn({ nullable: true })
  closedAt: Date | null;

  /** The phone's Idempotency-Key: unique per reporter, so a retried submission never makes a second row. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  clientKey: string | null;

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;
}
