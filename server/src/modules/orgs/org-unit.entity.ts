import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { Boundary, OrgType } from '@xiangan/shared';
import { CreatedAtColumn, DoubleColumn, JsonColumn, OrgPathColumn, UpdatedAtColumn } from '../../common/db/columns';

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

  /** GeoJSON Polygon/MultiPolygon in GCJ-02 (villages, communities, grids): a report inside it lies in this unit. Read on demand. */
  @JsonColumn({ select: false })
  boundary: Boundary | null;

  /** The boundary's box, so "which units may hold this point" is a range read before the exact test. */
  @DoubleColumn()
  minLat: number | null;

  @DoubleColumn()
  maxLat: number | null;

  @DoubleColumn()
  minLng: number | null;

  @DoubleColumn()
  maxLng: number | null;

  /** Towns: days past a deadline after which overdue reminders climb to the unit above (null = HAZARD_OVERDUE_CLIMB_DAYS). */
  @Column({ type: 'int', nullable: true })
  overdueClimbDays: number | null;

  @Column({ type: 'boolean', default: false })
  archived: boolean;

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;
}
