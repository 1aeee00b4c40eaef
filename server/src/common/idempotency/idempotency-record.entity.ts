import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { CreatedAtColumn } from '../db/columns';

/** One row per (user, Idempotency-Key): the first request's answer, replayed for retries. */
@Entity('idempotency_record')
@Index('uq_idempotency_user_key', ['userId', 'key'], { unique: true })
export class IdempotencyRecord {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  userId: number;

  @Column({ type: 'varchar', length: 64 })
  key: string;

  /** `POST /api/hazards`: a key reused on another route is a client bug, answered 422. */
  @Column({ type: 'varchar', length: 120 })
  route: string;

  /** null while the first request is still running. */
  @Column({ type: 'int', nullable: true })
  statusCode: number | null;

  @Column({ type: 'text', nullable: true })
  body: string | null;

  @CreatedAtColumn()
  createdAt: Date;
}
