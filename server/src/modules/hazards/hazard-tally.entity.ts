import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { HazardCategory, HazardLevel, HazardStatus } from '@xiangan/shared';

/**
 * How many hazards lie anywhere under one unit, by state, category, level and — for open work only — the
 * China-time month of its deadline. Every hazard counts once under each unit of its path and once under
 * unit 0 (everything). Kept in the same transaction as every hazard write (HazardCountService.change), so
 * the ledger's counts for any subtree — a county's million hazards included — are one short primary-key
 * range, and its overdue figure is "work due in an earlier month" plus a live count of this month only.
 */
@Entity('hazard_tally')
export class HazardTally {
  /** A unit on the hazard's path, or 0 for the whole database. */
  @PrimaryColumn({ type: 'int' })
  unitId: number;

  @PrimaryColumn({ type: 'varchar', length: 12 })
  status: HazardStatus;

  @PrimaryColumn({ type: 'varchar', length: 24 })
  category: HazardCategory;

  @PrimaryColumn({ type: 'varchar', length: 8 })
  level: HazardLevel;

  /** `YYYY-MM` (China time) of the deadline of assigned/rectifying work; '' for every other row. */
  @PrimaryColumn({ type: 'varchar', length: 7 })
  dueMonth: string;

  @Column({ type: 'int', default: 0 })
  n: number;
}
