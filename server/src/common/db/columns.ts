import { Column, ColumnOptions, CreateDateColumn, UpdateDateColumn } from 'typeorm';

/**
 * Column types that mean the same on MySQL/MariaDB and SQLite, so one set of entities serves both.
 * Times are UTC with millisecond precision.
 */
export const DateTimeColumn = (opts: ColumnOptions = {}) => Column({ type: 'datetime', precision: 3, ...opts });
// TypeORM's own default for these on MySQL is datetime(6) DEFAULT CURRENT_TIMESTAMP(6); anything else makes
// every schema diff report them as changed.
export const CreatedAtColumn = (opts: ColumnOptions = {}) => CreateDateColumn({ type: 'datetime', ...opts });
export const UpdatedAtColumn = (opts: ColumnOptions = {}) => UpdateDateColumn({ type: 'datetime', ...opts });
/** JSON stored as text: portable, and never queried inside. */
export const JsonColumn = (opts: ColumnOptions = {}) => Column({ type: 'simple-json', nullable: true, ...opts });
export const DoubleColumn = (opts: ColumnOptions = {}) => Column({ type: 'double', nullable: true, ...opts });
/** Materialised org path (`/1/2/7/`), indexed so a subtree is one range scan. */
export const OrgPathColumn = (opts: ColumnOptions = {}) => Column({ type: 'varchar', length: 255, ...opts });
