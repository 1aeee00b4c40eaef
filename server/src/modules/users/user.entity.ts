import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { Role } from '@xiangan/shared';
import { CreatedAtColumn, OrgPathColumn, UpdatedAtColumn } from '../../common/db/columns';

@Entity('app_user')
export class User {
  @PrimaryGeneratedColumn()
  id: number;

  /** WeChat openid (or `dev:<name>` for the dev login). */
  @Index('uq_app_user_openid', { unique: true })
  @Column({ type: 'varchar', length: 64, nullable: true })
  openid: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  unionid: string | null;

  @Column({ type: 'varchar', length: 50, nullable: true })
  name: string | null;

  @Column({ type: 'varchar', length: 20, nullable: true })
  phone: string | null;

  @Column({ type: 'varchar', length: 24, default: 'resident' })
  role: Role;

  @Column({ type: 'int', nullable: true })
  orgId: number | null;

  /** Copy of the unit's path, so "users in this subtree" is one indexed range. */
  @Index('idx_app_user_org_path')
  @OrgPathColumn({ nullable: true })
  orgPath: string | null;

  @Column({ type: 'boolean', default: false })
  disabled: boolean;

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;
}
