import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { MediaPurpose, MediaSecurityStatus } from '@xiangan/shared';
import { CreatedAtColumn, DateTimeColumn } from '../../common/db/columns';

/** One uploaded image (re-encoded, metadata stripped) and its thumbnail. */
@Entity('media')
@Index('idx_media_entity', ['entityKind', 'entityId'])
@Index('idx_media_owner', ['ownerId', 'createdAt'])
export class Media {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  ownerId: number;

  @Column({ type: 'varchar', length: 16 })
  purpose: MediaPurpose;

  /** Of the stored copy (`image/jpeg` or `image/webp`). */
  @Column({ type: 'varchar', length: 24 })
  mime: string;

  @Column({ type: 'varchar', length: 200 })
  storageKey: string;

  @Column({ type: 'varchar', length: 200 })
  thumbKey: string;

  /** SHA-256 of the stored copy. */
  @Column({ type: 'varchar', length: 64 })
  sha256: string;

  @Column({ type: 'int' })
  size: number;

  @Column({ type: 'int' })
  width: number;

  @Column({ type: 'int' })
  height: number;

  /** WeChat image security verdict: others (residents) see the image only after `pass`. */
  @Column({ type: 'varchar', length: 8, default: 'pass' })
  secStatus: MediaSecurityStatus;

  @Index('idx_media_sec_trace')
  @Column({ type: 'varchar', length: 64, nullable: true })
  secTraceId: string | null;

  /** The officer who decided the verdict by hand (人工复核), and when; null while only WeChat has spoken. */
  @Column({ type: 'int', nullable: true })
  secReviewedBy: number | null;

  @DateTimeColumn({ nullable: true })
  secReviewedAt: Date | null;

  /** What the image belongs to once attached (`hazard`, `hazard_event`, `message`…). */
  @Column({ type: 'varchar', length: 16, nullable: true })
  entityKind: string | null;

  @Column({ type: 'int', nullable: true })
  entityId: number | null;

  @CreatedAtColumn()
  createdAt: Date;
}
