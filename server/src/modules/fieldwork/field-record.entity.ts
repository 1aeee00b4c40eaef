import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { FieldType, FieldUnitRef } from '@xiangan/shared';
import { CreatedAtColumn, DoubleColumn, JsonColumn, OrgPathColumn, UpdatedAtColumn } from '../../common/db/columns';

/**
 * One piece of field work (inspection, enforcement case, drill, training/publicity/filing/…): one
 * table for all, told apart by `type` + `kind`; the numbers live in `field_metric` rows so the
 * statistics are GROUP BY sums over an (orgPath, date) range.
 */
@Entity('field_record')
@Index('idx_field_record_scope', ['orgPath', 'date', 'type', 'kind', 'sector'])
@Index('idx_field_record_type_date', ['type', 'date'])
/** The latest record of a kind per unit (head-count snapshots in the statistics). */
@Index('idx_field_record_kind_org', ['type', 'kind', 'orgId', 'date'])
@Index('uq_field_record_client_key', ['createdById', 'clientKey'], { unique: true })
/** 专项行动 of a subtree in a period (statistics): only records that name one, read from the index alone. */
@Index('idx_field_record_campaign', ['campaign', 'orgPath', 'date'])
export class FieldRecord {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 12 })
  type: FieldType;

  @Column({ type: 'varchar', length: 32 })
  kind: string;

  /** `YYYY-MM-DD`: the day the work was done (local date, no time zone games). */
  @Column({ type: 'varchar', length: 10 })
  date: string;

  /** The unit that did the work. */
  @Column({ type: 'int' })
  orgId: number;

  @OrgPathColumn()
  orgPath: string;

  /** Hazard category code (行业领域). */
  @Column({ type: 'varchar', length: 24, nullable: true })
  sector: string | null;

  /** 专项行动 name. */
  @Column({ type: 'varchar', length: 100, nullable: true })
  campaign: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  title: string | null;

  /** A copy of the metric values for display; statistics read `field_metric`. */
  @JsonColumn()
  metrics: Record<string, number> | null;

  @JsonColumn()
  units: FieldUnitRef[] | null;

  @JsonColumn()
  hazardIds: number[] | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  party: string | null;

  @JsonColumn()
  tags: string[] | null;

  @Column({ type: 'varchar', length: 2000, nullable: true })
  notes: string | null;

  @Column({ type: 'int' })
  createdById: number;

  @Column({ type: 'int', nullable: true })
  updatedById: number | null;

  @Column({ type: 'int', default: 0 })
  revisionCount: number;

  /** The phone's Idempotency-Key, unique per author: a retried submission never makes a second row. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  clientKey: string | null;

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;
}

/** One number of one record (出动检查人员 = 4), denormalised with the record's scope, date and kind. */
@Entity('field_metric')
@Index('idx_field_metric_scope', ['orgPath', 'date', 'type', 'kind', 'sector', 'metric', 'value'])
@Index('idx_field_metric_record', ['recordId'])
export class FieldMetric {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  recordId: number;

  @OrgPathColumn()
  orgPath: string;

  @Column({ type: 'varchar', length: 10 })
  date: string;

  @Column({ type: 'varchar', length: 12 })
  type: string;

  @Column({ type: 'varchar', length: 32 })
  kind: string;

  @Column({ type: 'varchar', length: 24, nullable: true })
  sector: string | null;

  @Column({ type: 'varchar', length: 24 })
  metric: string;

  @DoubleColumn({ nullable: false })
  value: number;
}

/** A ledger hazard found or dealt with by a record. */
@Entity('field_record_hazard')
@Index('uq_field_record_hazard', ['recordId', 'hazardId'], { unique: true })
@Index('idx_field_record_hazard_scope', ['orgPath', 'date', 'hazardId'])
export class FieldRecordHazard {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  recordId: number;

  @Column({ type: 'int' })
  hazardId: number;

  @OrgPathColumn()
  orgPath: string;

  @Column({ type: 'varchar', length: 10 })
  date: string;
}

/** The state of a record before an edit: who changed it and when. Never updated. */
@Entity('field_record_revision')
@Index('idx_field_record_revision', ['recordId', 'id'])
export class FieldRecordRevision {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  recordId: number;

  @JsonColumn({ nullable: false })
  previous: Record<string, unknown>;

  @Column({ type: 'int' })
  editedById: number;

  @CreatedAtColumn()
  editedAt: Date;
}
