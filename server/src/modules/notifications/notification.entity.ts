import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { CreatedAtColumn, DateTimeColumn } from '../../common/db/columns';

/** One in-app notice for one user. `dedupeKey` makes a reminder land at most once. */
@Entity('notification')
@Index('uq_notification_dedupe', ['userId', 'dedupeKey'], { unique: true })
@Index('idx_notification_user', ['userId', 'readAt', 'id'])
export class Notification {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  userId: number;

  /** e.g. `hazard_due_soon`, `hazard_overdue`, `hazard_assigned`. */
  @Column({ type: 'varchar', length: 32 })
  kind: string;

  @Column({ type: 'varchar', length: 100 })
  title: string;

  @Column({ type: 'varchar', length: 500, nullable: true })
  body: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  link: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  dedupeKey: string | null;

  @DateTimeColumn({ nullable: true })
  readAt: Date | null;

  @CreatedAtColumn()
  createdAt: Date;
}
