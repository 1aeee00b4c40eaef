import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { MESSAGE_CATEGORY_LABELS, MESSAGE_STATUS_LABELS, MessageBlock, MessageDto, Role } from '@xiangan/shared';
import { In, Repository } from 'typeorm';
import { MediaService } from '../media/media.service';
import { OrgUnit } from '../orgs/org-unit.entity';
import { User } from '../users/user.entity';
import { Message, MessageAudience, MessageReceipt } from './message.entity';

/** How a message reads: the officer's view of it (audience, publisher) and the feed card, image blocks signed. */
@Injectable()
export class MessageView {
  constructor(
    private readonly media: MediaService,
    @InjectRepository(MessageAudience) private readonly audience: Repository<MessageAudience>,
    @InjectRepository(OrgUnit) private readonly orgs: Repository<OrgUnit>,
    @InjectRepository(User) private readonly users: Repository<User>,
  ) {}

  async toDto(msgs: Message[]): Promise<MessageDto[]> {
    if (!msgs.length) return [];
    const bodies = await this.renderBodies(msgs.map((m) => m.body));
    const ids = msgs.map((m) => m.id);
    const aud = await this.audience.find({ where: { messageId: In(ids) } });
    const orgIds = [...new Set([...aud.map((a) => a.targetOrgId), ...msgs.map((m) => m.orgId)])];
    const orgs = new Map((await this.orgs.find({ where: { id: In(orgIds) } })).map((o) => [o.id, o]));
    const people = new Map((await this.users.find({ where: { id: In([...new Set(msgs.map((m) => m.publisherId))]) } })).map((u) => [u.id, u]));
    return msgs.map((m) => {
      const units = [...new Set(aud.filter((a) => a.messageId === m.id).map((a) => a.targetOrgId))].map((oid) => ({
        orgId: oid,
        name: orgs.get(oid)?.name ?? `#${oid}`,
        type: orgs.get(oid)?.type ?? 'unknown',
      }));
      return {
        id: m.id,
        title: m.title,
        body: bodies[msgs.indexOf(m)],
        category: m.category,
        categoryLabel: MESSAGE_CATEGORY_LABELS[m.category] ?? m.category,
        status: m.status,
        statusLabel: MESSAGE_STATUS_LABELS[m.status],
        ackRequired: m.ackRequired,
        scheduledAt: m.scheduledAt?.toISOString() ?? null,
        publishedAt: m.publishedAt?.toISOString() ?? null,
        withdrawnAt: m.withdrawnAt?.toISOString() ?? null,
        publisherId: m.publisherId,
        publisherName: people.get(m.publisherId)?.name ?? null,
        orgId: m.orgId,
        orgName: orgs.get(m.orgId)?.name ?? null,
        audience: { units, roles: (m.roles ?? []) as Role[] },
        createdAt: m.createdAt.toISOString(),
        updatedAt: m.updatedAt.toISOString(),
      };
    });
  }

  /**
   * Image blocks get a signed URL the phone's <Image> can load — only publicity images (`purpose: message`, readable
   * by everyone signed in anyway). An image block naming anything else (stored before bodies were checked) is left
   * out, so no answer ever carries a signed URL of a hazard photo.
   */
  async renderBodies(bodies: MessageBlock[][]): Promise<MessageBlock[][]> {
    const ids = [...new Set(bodies.flatMap((b) => (b ?? []).filter((x) => x.type === 'image' && x.mediaId).map((x) => x.mediaId!)))];
    const publicity = ids.length ? await this.media.publicityIds(ids) : new Set<number>();
    return bodies.map((body) =>
      (body ?? [])
        .filter((b) => b.type !== 'image' || (!!b.mediaId && publicity.has(b.mediaId)))
        .map((b) => (b.type === 'image' ? { ...b, url: this.media.refOf({ id: b.mediaId! }).url } : { ...b })),
    );
  }
}

/** The feed card of a message for one user. */
export function feedItemOf(
  m: Message,
  orgName: string | null,
  receipt: Pick<MessageReceipt, 'readAt' | 'ackedAt'> | null,
  remindedAt: Date | null,
  body: MessageBlock[],
) {
  const first = body.find((b) => b.type === 'p' && b.text)?.text ?? '';
  const chars = Array.from(first);
  const cover = body.find((b) => b.type === 'image' && b.url)?.url ?? null;
  return {
    id: m.id,
    title: m.title,
    category: m.category,
    categoryLabel: MESSAGE_CATEGORY_LABELS[m.category] ?? m.category,
    summary: chars.length > 60 ? `${chars.slice(0, 59).join('')}…` : first,
    coverUrl: cover,
    publisherOrgName: orgName,
    publishedAt: (m.publishedAt ?? m.createdAt).toISOString(),
    ackRequired: m.ackRequired,
    read: !!receipt?.readAt,
    readAt: receipt?.readAt?.toISOString() ?? null,
    acked: !!receipt?.ackedAt,
    ackedAt: receipt?.ackedAt?.toISOString() ?? null,
    remindedAt: remindedAt && !(m.ackRequired ? receipt?.ackedAt : receipt?.readAt) ? remindedAt.toISOString() : null,
  };
}
