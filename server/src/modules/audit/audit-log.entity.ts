import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { AuditAction, Role } from '@xiangan/shared';
import { CreatedAtColumn, JsonColumn, OrgPathColumn } from '../../common/db/columns';

/**
 * Who accessed personal data or changed an account, when. Append-only: AuditService only inserts and reads;
 * no code path updates or deletes a row.
 */
@Entity('audit_log')
@Index('idx_audit_log_org_path', ['orgPath', 'id'])
@Index('idx_audit_log_action', ['action', 'id'])
@Index('idx_audit_log_actor', ['actorId', 'id'])
@Index('idx_audit_log_at', ['at'])
export class AuditLog {
  @PrimaryGeneratedColumn()
  id: number;

  @CreatedAtColumn()
  at: Date;

  @Column({ type: 'int', nullable: true })
  actorId: number | null;

  /** Copied at the time (a later rename or role change does not rewrite history). */
  @Column({ type: 'varchar', length: 50, nullable: true })
  actorName: string | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  actorRole: Role | null;

  @Column({ type: 'varchar', length: 48 })
  action: AuditAction;

  /** The unit the data belongs to: admins see the entries of their subtree. */
  @OrgPathColumn()
  orgPath: string;

  @Column({ type: 'varchar', length: 32 })
  targetType: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  targetId: string | null;

  /** Small, without personal data (no phones): ids, counts, old/new role, a reason. */
  @JsonColumn()
  detail: Record<string, unknown> | null;
}
