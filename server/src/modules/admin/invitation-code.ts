import { ADMIN_LIMITS } from '@xiangan/shared';
import { randomBytes } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { Invitation } from './invitation.entity';

/** 16 URL-safe characters (96 random bits): fits a mini-program code's 32-character scene as it is. */
export function newInvitationCode(): string {
  return randomBytes(12).toString('base64url');
}

export const INVITE_PAGE = 'pages/invite/index';

/** The link an ordinary QR carries: the server redirects it to the h5 invite page (see app.factory). */
export function invitationLink(publicBaseUrl: string, code: string): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}/invite?code=${code}`;
}

/**
 * The first admin (the `admin:invite` command): one use, ADMIN_LIMITS.adminInvitationHours. Earlier unused
 * command-made admin invitations are revoked, so only the newest printed link works.
 */
export async function createAdminInvitation(m: EntityManager, now = new Date()): Promise<Invitation> {
  await m
    .createQueryBuilder()
    .update(Invitation)
    .set({ revokedAt: now })
    .where('createdById IS NULL AND role = :r AND revokedAt IS NULL AND usedCount < maxUses', { r: 'admin' })
    .execute();
  return m.save(
    m.create(Invitation, {
      code: newInvitationCode(),
      role: 'admin',
      orgId: null,
      orgPath: '/',
      maxUses: 1,
      usedCount: 0,
      expiresAt: new Date(now.getTime() + ADMIN_LIMITS.adminInvitationHours * 3600_000),
      revokedAt: null,
      note: '首位管理员（admin:invite 命令生成）',
      createdById: null,
    }),
  );
}
