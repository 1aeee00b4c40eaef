import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { HazardCategory, HazardLevel, HazardStatus } from '@xiangan/shared';
import { OrgPathColumn } from '../../common/db/columns';

/**
 * How many hazards of one unit are in one state, category and level — kept in the same transaction as
 * every hazard insert and state/level change (HazardCountService.apply). The ledger's counts per state for
 * a subtree are a SUM over the subtree's rows here (a few hundred per town), not a GROUP BY over its hazards.
 */
@Entity('hazard_count')
@Index('idx_hazard_count_path', ['orgPath', 'status', 'category', 'level', 'n'])
export class HazardCount {
  @PrimaryColumn({ type: 'int' })
  orgId: number;

  @PrimaryColumn({ type: 'varchar', length: 12 })
  status: HazardStatus;

  @PrimaryColumn({ type: 'varchar', length: 24 })
  category: HazardCategory;

  @PrimaryColumn({ type: 'varchar', length: 8 })
  level: HazardLevel;

  @OrgPathColumn()
  orgPath: string;

  @Column({ type: 'int', default: 0 })
  n: number;
}
