import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { HazardStatus, Role } from '@xiangan/shared';
import { CreatedAtColumn, JsonColumn } from '../../common/db/columns';

/** One step on a hazard's timeline: who, when, what, note, photos. Never updated. */
@Entity('hazard_event')
@Index('idx_hazard_event_hazard', ['hazardId', 'id'])
/** System events that must happen once (a day's overdue reminder, a climb): same key twice → stored once. */
@Index('uq_hazard_event_dedupe', ['hazardId', 'dedupeKey'], { unique: true })
export class HazardEvent {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  hazardId: number;

  /** A HazardAction, or `report`, `remind`, `duplicate`. */
  @Column({ type: 'varchar', length: 16 })
  action: string;

  @Column({ type: 'varchar', length: 12, nullable: true })
  fromStatus: HazardStatus | null;

  @Column({ type: 'varchar', length: 12, nullable: true })
  toStatus: HazardStatus | null;

  /** Null for the system (reminders, duplicate detection). */
  @Column({ type: 'int', nullable: true })
  actorId: number | null;

  @Column({ type: 'varchar', length: 24, nullable: true })
  actorRole: Role | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  note: string | null;

  @JsonColumn()
  photoIds: number[] | null;

  @JsonColumn()
  data: Record<string, unknown> | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  dedupeKey: string | null;

  @CreatedAtColumn()
  createdAt: Date;
}
