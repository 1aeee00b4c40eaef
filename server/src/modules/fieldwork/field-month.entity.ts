import { Column, Entity, PrimaryColumn } from 'typeorm';
import { DoubleColumn } from '../../common/db/columns';

/**
 * The statistics' rollup of field work: per China month (`YYYY-MM` of the record's local date), unit path,
 * type, kind and sector, the number of records (metric '') and, per metric, the number of metric rows and
 * the sum of their values. Kept in the same transaction as every field record write (create, edit: new − old;
 * field-month.rollup.ts), rebuilt from field_record / field_metric by seeders and bulk loads. A county-year
 * summary reads these rows instead of every record's metrics; days at the edges of a period come from the
 * base tables.
 *
 * The key leads with month, so a period is one range of the primary key whatever the subtree, and every
 * column is read from that range (no secondary index).
 */
@Entity('field_month')
export class FieldMonth {
  @PrimaryColumn({ type: 'varchar', length: 7 })
  month: string;

  @PrimaryColumn({ type: 'varchar', length: 255 })
  orgPath: string;

  @PrimaryColumn({ type: 'varchar', length: 12 })
  type: string;

  @PrimaryColumn({ type: 'varchar', length: 32 })
  kind: string;

  /** The record's sector, '' for none (a key column cannot be NULL). */
  @PrimaryColumn({ type: 'varchar', length: 24 })
  sector: string;

  /** '' = the row counting records; otherwise one metric of those records. */
  @PrimaryColumn({ type: 'varchar', length: 24 })
  metric: string;

  /** Records (metric '') or metric rows (a metric row exists even with value 0, and then shows as 0 in the figures). */
  @Column({ type: 'int', default: 0 })
  n: number;

  /** Sum of the metric's values (0 on the record row). */
  @DoubleColumn({ nullable: false, default: 0 })
  total: number;
}
