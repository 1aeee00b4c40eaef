import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { UpdatedAtColumn } from '../../common/db/columns';

/**
 * WeChat subscribe-message consent per user and template: each `accept` of a one-time template adds
 * one send; each send spends one (a conditional UPDATE, so two workers never spend the same one).
 */
@Entity('subscription_consent')
@Index('uq_subscription_consent', ['userId', 'templateId'], { unique: true })
@Index('idx_subscription_consent_tpl', ['templateId', 'remaining', 'userId'])
export class SubscriptionConsent {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  userId: number;

  @Column({ type: 'varchar', length: 64 })
  templateId: string;

  @Column({ type: 'int', default: 0 })
  remaining: number;

  /** The user chose 总是拒绝 / turned the template off in settings. */
  @Column({ type: 'boolean', default: false })
  banned: boolean;

  @UpdatedAtColumn()
  updatedAt: Date;
}
