import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { Role } from '@xiangan/shared';
import { CreatedAtColumn, DateTimeColumn, OrgPathColumn } from '../../common/db/columns';

/**
 * An invitation to take an officer role in a unit: the link / QR carries `code`; whoever opens it and logs in
 * with WeChat is bound to `role` and `orgId`. `createdById` null = printed by the `admin:invite` command.
 */
@Entity('invitation')
export class Invitation {
  @PrimaryGeneratedColumn()
  id: number;

  @Index('uq_invitation_code', { unique: true })
  @Column({ type: 'varchar', length: 32 })
  code: string;

  @Column({ type: 'varchar', length: 24 })
  role: Role;

  @Column({ type: 'int', nullable: true })
  orgId: number | null;

  /** Path of the unit (or `/` for an admin invitation without one), so lists are one range in scope. */
  @Index('idx_invitation_org_path')
  @OrgPathColumn()
  orgPath: string;

  @Column({ type: 'int', default: 1 })
  maxUses: number;

  @Column({ type: 'int', default: 0 })
  usedCount: number;

  @DateTimeColumn()
  expiresAt: Date;

  @DateTimeColumn({ nullable: true })
  revokedAt: Date | null;

  @Column({ type: 'varchar', length: 60, nullable: true })
  note: string | null;

  @Column({ type: 'int', nullable: true })
  createdById: number | null;

  @CreatedAtColumn()
  createdAt: Date;
}

/** Who used an invitation, once per person. */
@Entity('invitation_use')
@Index('uq_invitation_use', ['invitationId', 'userId'], { unique: true })
export class InvitationUse {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  invitationId: number;

  @Column({ type: 'int' })
  userId: number;

  /** Role and unit the person had before (for the record). */
  @Column({ type: 'varchar', length: 24 })
  previousRole: Role;

  @Column({ type: 'int', nullable: true })
  previousOrgId: number | null;

  @CreatedAtColumn()
  usedAt: Date;
}
