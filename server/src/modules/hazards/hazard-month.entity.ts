import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { HazardCategory } from '@xiangan/shared';
import { OrgPathColumn } from '../../common/db/columns';
import { MONTH_COUNTERS } from './hazard-month.rollup';

/**
 * The statistics' rollup: what the hazards of one unit, reported in one China month (`YYYY-MM` of createdAt
 * at UTC+8), of one category add up to — kept in the same transaction as every hazard write
 * (HazardCountService.change), rebuilt from the hazards by rebuildHazardCounts. A county-year summary reads
 * these rows (≤ units × 12 × categories) instead of a million hazards; see HazardStatsSource.stats (hazards.stats.ts) for how
 * partial months at the edges of a period are added from the hazards themselves.
 *
 * Overdue work is not here: it depends on the clock, and is counted live from open work.
 */
@Entity('hazard_month')
/**
 * Month leads: a period is one range, whatever the subtree and however many years are stored; the subtree
 * (orgPath prefix) and every counter are read from the index alone.
 */
@Index('idx_hazard_month_range', ['month', 'orgPath', 'category', ...MONTH_COUNTERS])
export class HazardMonth {
  @PrimaryColumn({ type: 'int' })
  orgId: number;

  /** `YYYY-MM` of the hazards' createdAt in China time. */
  @PrimaryColumn({ type: 'varchar', length: 7 })
  month: string;

  @PrimaryColumn({ type: 'varchar', length: 24 })
  category: HazardCategory;

  @OrgPathColumn()
  orgPath: string;

  /** Not rejected. */
  @Column({ type: 'int', default: 0 })
  found: number;

  /** Rectified or closed. */
  @Column({ type: 'int', default: 0 })
  rectified: number;

  @Column({ type: 'int', default: 0 })
  closed: number;

  /** Not rejected and graded major. */
  @Column({ type: 'int', default: 0 })
  major: number;

  /** Reported, assigned, rectifying or rectified. */
  @Column({ type: 'int', default: 0 })
  inProgress: number;

  @Column({ type: 'int', default: 0 })
  rejected: number;

  /** Not rejected and escalated to a county department at some point (escalatedTo set). */
  @Column({ type: 'int', default: 0 })
  escalated: number;

  /** Closed with a closedAt: the hazards the average time to close is taken over. */
  @Column({ type: 'int', default: 0 })
  closedTimed: number;

  /** Sum over closedTimed of whole seconds from createdAt to closedAt (each truncated, as MySQL's TIMESTAMPDIFF). */
  @Column({ type: 'bigint', default: 0 })
  closeSeconds: number;

  /**
   * Not about this month's reports: hazards of the unit and category closed (status closed) whose closedAt
   * falls in this month, whenever they were reported — the dashboard's 销号 by month.
   */
  @Column({ type: 'int', default: 0 })
  closedIn: number;
}
