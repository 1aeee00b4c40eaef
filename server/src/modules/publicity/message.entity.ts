import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { MessageBlock, MessageCategory, MessageStatus } from '@xiangan/shared';
import { CreatedAtColumn, DateTimeColumn, JsonColumn, OrgPathColumn, UpdatedAtColumn } from '../../common/db/columns';

/** A publicity message (宣传推送). The body is a list of blocks, never HTML. */
@Entity('message')
@Index('idx_message_status_scheduled', ['status', 'scheduledAt'])
@Index('uq_message_client_key', ['publisherId', 'clientKey'], { unique: true })
export class Message {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 60 })
  title: string;

  @JsonColumn({ nullable: false })
  body: MessageBlock[];

  @Column({ type: 'varchar', length: 24 })
  category: MessageCategory;

  @Column({ type: 'varchar', length: 16, default: 'draft' })
  status: MessageStatus;

  @DateTimeColumn({ nullable: true })
  scheduledAt: Date | null;

  @Column({ type: 'boolean', default: false })
  ackRequired: boolean;

  @Column({ type: 'int' })
  publisherId: number;

  /** The publisher's unit: officers see messages of units in their scope. */
  @Column({ type: 'int' })
  orgId: number;

  @Index('idx_message_org_path')
  @OrgPathColumn()
  orgPath: string;

  /** Role filter shared by every target unit; empty = everybody. */
  @JsonColumn({ nullable: false })
  roles: string[];

  /** Audience size when the message went out (the list shows rates without counting users). */
  @Column({ type: 'int', nullable: true })
  audienceSize: number | null;

  @DateTimeColumn({ nullable: true })
  publishedAt: Date | null;

  @DateTimeColumn({ nullable: true })
  withdrawnAt: Date | null;

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;

  /**
   * The officer's Idempotency-Key for the draft, unique per publisher: a retry after a COMMIT whose answer was lost
   * (the interceptor then frees its reservation) finds this draft instead of writing a second one. Last, as a column
   * added later sits in a SQLite table (the migration adds it in place).
   */
  @Column({ type: 'varchar', length: 64, nullable: true })
  clientKey: string | null;

  /**
   * When the subscribe fan-out walked the audience to its end. NULL on a message published a while ago: its job was
   * lost (the process stopped while the queue waited for Redis, say) and the resume sweep queues it again.
   */
  @DateTimeColumn({ nullable: true })
  fannedOutAt: Date | null;
}

/**
 * One row per (message, target unit, role). A user's feed is the union, over the ids on their unit
 * path and over role ∈ {'*', own role}, of an index range on (targetOrgId, role, feedAt):
 * no scan of all messages or all users. `feedAt` is the publish time while the message is live and
 * NULL while it is a draft, scheduled or withdrawn.
 */
@Entity('message_audience')
@Index('uq_message_audience', ['messageId', 'targetOrgId', 'role'], { unique: true })
@Index('idx_message_audience_feed', ['targetOrgId', 'role', 'feedAt', 'messageId'])
export class MessageAudience {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  messageId: number;

  @Column({ type: 'int' })
  targetOrgId: number;

  @OrgPathColumn()
  targetOrgPath: string;

  /** A role from ROLES, or '*' for everybody in the unit. */
  @Column({ type: 'varchar', length: 24, default: '*' })
  role: string;

  @DateTimeColumn({ nullable: true })
  feedAt: Date | null;
}

/** Read / acknowledged, one row per user and message. The user's unit is copied for reach by unit. */
@Entity('message_receipt')
@Index('uq_message_receipt', ['messageId', 'userId'], { unique: true })
@Index('idx_message_receipt_user', ['userId', 'messageId'])
/** Read and acknowledged counts per message (statistics), from the index alone. */
@Index('idx_message_receipt_stats', ['messageId', 'readAt', 'ackedAt'])
export class MessageReceipt {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  messageId: number;

  @Column({ type: 'int' })
  userId: number;

  @Column({ type: 'int', nullable: true })
  userOrgId: number | null;

  @OrgPathColumn({ nullable: true })
  userOrgPath: string | null;

  @DateTimeColumn({ nullable: true })
  readAt: Date | null;

  @DateTimeColumn({ nullable: true })
  ackedAt: Date | null;
}

export const DELIVERY_STATUSES = ['pending', 'sending', 'sent', 'failed', 'no_consent', 'unknown'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * One subscribe-message send per (message, user). A worker claims the row with a conditional
 * UPDATE (pending → sending) before it calls WeChat, so a duplicate or restarted worker never sends twice.
 */
@Entity('message_delivery')
@Index('uq_message_delivery', ['messageId', 'userId'], { unique: true })
@Index('idx_message_delivery_status', ['messageId', 'status'])
export class MessageDelivery {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  messageId: number;

  @Column({ type: 'int' })
  userId: number;

  @OrgPathColumn({ nullable: true })
  userOrgPath: string | null;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status: DeliveryStatus;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Column({ type: 'varchar', length: 40, nullable: true })
  wxMsgId: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  error: string | null;

  @DateTimeColumn({ nullable: true })
  claimedAt: Date | null;

  @DateTimeColumn({ nullable: true })
  sentAt: Date | null;
}

/** 催阅: an officer reminded a unit about a message (shown in the unit's feed; limits repeats). */
@Entity('message_reminder')
@Index('idx_message_reminder', ['messageId', 'orgId'])
@Index('idx_message_reminder_unstarted', ['startedAt', 'createdAt'])
export class MessageReminder {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  messageId: number;

  @Column({ type: 'int' })
  orgId: number;

  @OrgPathColumn()
  orgPath: string;

  @Column({ type: 'int' })
  createdBy: number;

  @Column({ type: 'int', default: 0 })
  users: number;

  @Column({ type: 'int', default: 0 })
  subscribeQueued: number;

  @CreatedAtColumn()
  createdAt: Date;

  /**
   * When its job took it: at most once, as a subscribe send may have gone out and is never repeated. Still NULL a
   * while after `createdAt`: its job was never queued (Redis away, or the insert stored but answered with a lost
   * connection, so the officer's retry was told 已催阅) and the resume job queues it again. Last: added later.
   */
  @DateTimeColumn({ nullable: true })
  startedAt: Date | null;
}
