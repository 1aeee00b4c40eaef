/** Publicity (宣传推送). Request/response types live below the enums. */

export const MESSAGE_CATEGORIES = [
  { code: 'safety_month', label: '安全生产月' },
  { code: 'drowning', label: '防溺水' },
  { code: 'fire', label: '消防' },
  { code: 'gas', label: '燃气' },
  { code: 'food_safety', label: '食品安全' },
  { code: 'forest_fire', label: '森林防火' },
  { code: 'disaster', label: '防灾减灾' },
  { code: 'traffic', label: '交通' },
  { code: 'other', label: '其他' },
] as const;
export type MessageCategory = (typeof MESSAGE_CATEGORIES)[number]['code'];
export const MESSAGE_CATEGORY_LABELS = Object.fromEntries(MESSAGE_CATEGORIES.map((c) => [c.code, c.label])) as Record<MessageCategory, string>;

import type { Role } from './org';
import type { IsoDate, IsoDateTime } from './common';

export const MESSAGE_STATUSES = ['draft', 'scheduled', 'published', 'withdrawn'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];
export const MESSAGE_STATUS_LABELS: Record<MessageStatus, string> = {
  draft: '草稿',
  scheduled: '定时待发',
  published: '已发布',
  withdrawn: '已撤回',
};

/**
 * The message body: a list of blocks, never HTML. Clients render each block with plain text
 * components, so nothing an officer types can run as markup (no stored XSS).
 */
export const MESSAGE_BLOCK_TYPES = ['p', 'h', 'image', 'video'] as const;
export type MessageBlockType = (typeof MESSAGE_BLOCK_TYPES)[number];
export interface MessageBlock {
  type: MessageBlockType;
  /** p / h: the text; image / video: an optional caption. */
  text?: string;
  /** p only: show the whole paragraph in bold. */
  bold?: boolean;
  /** image: id from `POST /api/media`. */
  mediaId?: number;
  /** image: filled by the server (`/api/media/:id`); video: an https link. */
  url?: string;
}

export const PUBLICITY_LIMITS = {
  blocksMax: 60,
  blockTextMax: 2000,
  audienceUnitsMax: 200,
  /** A schedule at most this many days ahead. */
  scheduleDaysMax: 366,
  /** A unit is reminded at most once in this many minutes. */
  remindIntervalMinutes: 60,
  /** Read (or acknowledged, when required) share under which a unit counts as lagging. */
  laggingRate: 0.6,
} as const;

export interface MessageAudienceInput {
  /** Units whose whole subtree receives the message ("all residents of the town" = the town unit). */
  orgIds: number[];
  /** Only these roles; empty or absent = everybody in the units. */
  roles?: Role[];
}

export interface CreateMessageRequest {
  title: string;
  body: MessageBlock[];
  category: MessageCategory;
  audience: MessageAudienceInput;
  ackRequired?: boolean;
}
export type UpdateMessageRequest = Partial<CreateMessageRequest>;

export interface PublishMessageRequest {
  /** Future time → scheduled; absent → now. */
  scheduledAt?: IsoDateTime;
}

export interface MessageAudienceUnitDto {
  orgId: number;
  name: string;
  type: string;
}

export interface MessageDto {
  id: number;
  title: string;
  body: MessageBlock[];
  category: MessageCategory;
  categoryLabel: string;
  status: MessageStatus;
  statusLabel: string;
  ackRequired: boolean;
  scheduledAt: IsoDateTime | null;
  publishedAt: IsoDateTime | null;
  withdrawnAt: IsoDateTime | null;
  publisherId: number;
  publisherName: string | null;
  orgId: number;
  orgName: string | null;
  audience: { units: MessageAudienceUnitDto[]; roles: Role[] };
  createdAt: IsoDateTime;
  updatedAt: IsoDateTime;
}

/** Officer list row: the message and its reach so far. */
export interface MessageListItemDto extends Omit<MessageDto, 'body'> {
  audienceSize: number | null;
  readCount: number;
  ackCount: number;
  readRate: number | null;
  ackRate: number | null;
}

export interface MessageListQuery {
  status?: MessageStatus;
  category?: MessageCategory;
  page?: number;
  pageSize?: number;
}

/** What a resident sees: in the feed (without body) and opened (with body). */
export interface FeedItemDto {
  id: number;
  title: string;
  category: MessageCategory;
  categoryLabel: string;
  /** The first paragraph, cut to a line or two. */
  summary: string;
  coverUrl: string | null;
  publisherOrgName: string | null;
  publishedAt: IsoDateTime;
  ackRequired: boolean;
  read: boolean;
  readAt: IsoDateTime | null;
  acked: boolean;
  ackedAt: IsoDateTime | null;
  /** An officer asked this user's unit to read / acknowledge (催阅) after the message went out. */
  remindedAt: IsoDateTime | null;
}

export interface FeedMessageDto extends FeedItemDto {
  body: MessageBlock[];
  /** False for an officer's preview (read and ack buttons are shown disabled). */
  inAudience: boolean;
}

export interface UnreadCountDto {
  unread: number;
  /** Acknowledgement required and not yet given. */
  pendingAck: number;
}

export interface ReceiptDto {
  messageId: number;
  readAt: IsoDateTime | null;
  ackedAt: IsoDateTime | null;
}

export interface ReachUnitDto {
  orgId: number;
  name: string;
  type: string;
  audience: number;
  delivered: number;
  read: number;
  acked: number;
  readRate: number | null;
  ackRate: number | null;
  /** Below PUBLICITY_LIMITS.laggingRate of read (or acked, when required). */
  lagging: boolean;
  /** The unit has subunits to drill into (`?orgId=`). */
  hasChildren: boolean;
  lastRemindedAt: IsoDateTime | null;
}

export interface MessageStatsDto {
  messageId: number;
  status: MessageStatus;
  ackRequired: boolean;
  /** Everyone the message is addressed to now (users in the target subtrees with the role filter). */
  audienceSize: number;
  /** Subscribe messages WeChat accepted. */
  delivered: number;
  deliveryPending: number;
  deliveryFailed: number;
  /** Users with no subscribe consent left when their turn came. */
  noConsent: number;
  read: number;
  acked: number;
  readRate: number | null;
  ackRate: number | null;
  /** The unit the breakdown is under (the target itself, or `?orgId=` to drill in). */
  breakdownOf: { orgId: number; name: string } | null;
  units: ReachUnitDto[];
  /** Units with people in the audience and nobody having acknowledged (or read, when no ack is asked). */
  notAcknowledged: { orgId: number; name: string; type: string; audience: number }[];
}

export interface RemindUnitsRequest {
  /** Units to remind; absent = every lagging unit of the breakdown. */
  orgIds?: number[];
}

export interface RemindUnitsResponse {
  reminded: { orgId: number; name: string; users: number }[];
  /** Reminded less than PUBLICITY_LIMITS.remindIntervalMinutes ago. */
  skipped: { orgId: number; name: string; lastRemindedAt: IsoDateTime }[];
  /** Subscribe messages queued (users with consent left). */
  subscribeQueued: number;
}

// ---- WeChat subscribe messages ----

/** The server's name for each subscribe-message template (the template ids come from config). */
export const SUBSCRIBE_TEMPLATE_KEYS = ['publicity', 'hazardUpdate', 'hazardDeadline', 'pledge'] as const;
export type SubscribeTemplateKey = (typeof SUBSCRIBE_TEMPLATE_KEYS)[number];

/** The answer `wx.requestSubscribeMessage` gives per template. */
export type SubscribeResult = 'accept' | 'reject' | 'ban' | 'filter';

export interface SubscribeRequest {
  templateIds: string[];
  results: Record<string, SubscribeResult>;
}

export interface SubscriptionTemplateDto {
  key: SubscribeTemplateKey;
  templateId: string;
  /** One-time consents left (each send spends one). */
  remaining: number;
  banned: boolean;
}

export interface SubscriptionsDto {
  templates: SubscriptionTemplateDto[];
}

// ---- Campaign calendar ----

export interface CalendarPresetDto {
  key: string;
  name: string;
  category: MessageCategory;
  /** The dates in the requested year (a range that spans new year ends in the next year). */
  from: IsoDate;
  to: IsoDate;
  /** How the dates are set, e.g. 以当年通知为准 for movable weeks. */
  note: string | null;
  /** Which units such a message usually goes to. */
  suggestedAudience: ('town' | 'village' | 'school' | 'enterprise')[];
  ackRequired: boolean;
  template: { title: string; body: MessageBlock[] };
  /** Today falls in the range. */
  active: boolean;
  /** Starts within the next 30 days. */
  upcoming: boolean;
}

export interface CalendarDto {
  year: number;
  presets: CalendarPresetDto[];
}
