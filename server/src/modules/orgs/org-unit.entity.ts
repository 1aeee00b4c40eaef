import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { OrgType } from '@xiangan/shared';
import { CreatedAtColumn, DoubleColumn, OrgPathColumn, UpdatedAtColumn } from '../../common/db/columns';

@Entity('org_unit')
export class OrgUnit {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int', nullable: true })
  parentId: number | null;

  @Column({ type: 'varchar', length: 16 })
  type: OrgType;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  /** `/1/2/7/`: ids from the root to this unit, each followed by a slash. */
  @Index('idx_org_unit_path')
  @OrgPathColumn()
  path: string;

  @Column({ type: 'varchar', length: 32, nullable: true })
  code: string | null;

  @Column({ type: 'int', nullable: true })
  population: number | null;

  @DoubleColumn()
  lat: number | null;

  @DoubleColumn()
  lng: number | null;

  @Column({ type: 'boolean', default: false })
  archived: boolean;

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;
}
