import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { CreatedAtColumn, DateTimeColumn, DoubleColumn, JsonColumn, OrgPathColumn, UpdatedAtColumn } from '../../common/db/columns';

/**
 * A risk site (重点场所/风险点) on a unit's register: 烟花爆竹经营点, 加油站, 地质灾害点, 水库, 山塘… The reports count
 * them ("12个烟花爆竹经营点", "2个小2型以上的水库") and the patrols made at them.
 */
@Entity('risk_site')
@Index('idx_risk_site_scope', ['orgPath', 'kind'])
export class RiskSite {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  orgId: number;

  @OrgPathColumn()
  orgPath: string;

  @Column({ type: 'varchar', length: 24 })
  kind: string;

  @Column({ type: 'varchar', length: 60 })
  name: string;

  @Column({ type: 'varchar', length: 120, nullable: true })
  address: string | null;

  @DoubleColumn()
  lat: number | null;

  @DoubleColumn()
  lng: number | null;

  /** Reservoirs: small2 / small1 / medium / large. */
  @Column({ type: 'varchar', length: 12, nullable: true })
  sizeClass: string | null;

  @Column({ type: 'varchar', length: 30, nullable: true })
  responsibleName: string | null;

  @Column({ type: 'varchar', length: 20, nullable: true })
  responsiblePhone: string | null;

  /** 警示标志 in place (set by the register, updated by patrols that count them). */
  @Column({ type: 'int', default: 0 })
  warningSigns: number;

  @Column({ type: 'int', nullable: true })
  enterpriseOrgId: number | null;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  notes: string | null;

  /** Taken off the register (closed shop, filled pond): still counted for periods before this moment. */
  @DateTimeColumn({ nullable: true })
  archivedAt: Date | null;

  @Column({ type: 'int' })
  createdById: number;

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;
}

/** One patrol or inspection at a site (巡查), linked to the ledger hazards it found or checked. */
@Entity('site_patrol')
@Index('idx_site_patrol_scope', ['orgPath', 'date'])
@Index('idx_site_patrol_site', ['siteId', 'date'])
@Index('uq_site_patrol_client', ['createdById', 'clientKey'], { unique: true })
export class SitePatrol {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  siteId: number;

  /** The site's path (denormalised for scope and statistics). */
  @OrgPathColumn()
  orgPath: string;

  @Column({ type: 'varchar', length: 24 })
  kind: string;

  @Column({ type: 'varchar', length: 10 })
  date: string;

  @Column({ type: 'int', default: 1 })
  inspectors: number;

  @Column({ type: 'int', nullable: true })
  warningSigns: number | null;

  @JsonColumn()
  hazardIds: number[] | null;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  notes: string | null;

  @Column({ type: 'int' })
  createdById: number;

  @Column({ type: 'varchar', length: 64, nullable: true })
  clientKey: string | null;

  @CreatedAtColumn()
  createdAt: Date;
}

/** An incident (事故、火灾、森林火灾、溺水…): the report says "全年无安全生产事故" only when none is recorded. */
@Entity('incident')
@Index('idx_incident_scope', ['orgPath', 'date', 'kind'])
export class Incident {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  orgId: number;

  @OrgPathColumn()
  orgPath: string;

  @Column({ type: 'varchar', length: 24 })
  kind: string;

  @Column({ type: 'varchar', length: 10 })
  date: string;

  @Column({ type: 'varchar', length: 60 })
  title: string;

  @Column({ type: 'int', default: 0 })
  deaths: number;

  @Column({ type: 'int', default: 0 })
  injuries: number;

  @DoubleColumn({ nullable: false, default: 0 })
  loss: number;

  @Column({ type: 'int', nullable: true })
  siteId: number | null;

  @Column({ type: 'varchar', length: 2000, nullable: true })
  description: string | null;

  @Column({ type: 'int' })
  createdById: number;

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;
}
