/** 宣传推送: feed, message detail, acknowledgement, subscribe consents; officer compose and reach. */
import type {
  CalendarDto,
  CreateMessageRequest,
  FeedItemDto,
  FeedMessageDto,
  MessageDto,
  MessageListItemDto,
  MessageStatsDto,
  Paginated,
  PublishMessageRequest,
  ReceiptDto,
  RemindUnitsResponse,
  SubscriptionsDto,
  UnreadCountDto,
  UpdateMessageRequest,
} from '@xiangan/shared';
import { api } from './request';

export const publicityApi = {
  feed: (page = 1, pageSize = 20) => api.get<Paginated<FeedItemDto>>('/feed', { query: { page, pageSize } }),
  unread: () => api.get<UnreadCountDto>('/feed/unread-count'),
  open: (id: number) => api.get<FeedMessageDto>(`/feed/${id}`),
  read: (id: number) => api.post<ReceiptDto>(`/messages/${id}/read`, {}, { idempotent: true }),
  ack: (id: number) => api.post<ReceiptDto>(`/messages/${id}/ack`, {}, { idempotent: true }),
  subscriptions: () => api.get<SubscriptionsDto>('/subscriptions'),
  subscribe: (templateIds: string[], results: Record<string, string>) => api.post<SubscriptionsDto>('/subscriptions', { templateIds, results }),
  // officer
  list: (q: { page?: number; pageSize?: number; status?: string } = {}) => api.get<Paginated<MessageListItemDto>>('/messages', { query: q }),
  get: (id: number) => api.get<MessageDto>(`/messages/${id}`),
  create: (body: CreateMessageRequest) => api.post<MessageDto>('/messages', body, { idempotent: true }),
  update: (id: number, body: UpdateMessageRequest) => api.put<MessageDto>(`/messages/${id}`, body),
  publish: (id: number, body: PublishMessageRequest = {}) => api.post<MessageDto>(`/messages/${id}/publish`, body, { idempotent: true }),
  withdraw: (id: number) => api.post<MessageDto>(`/messages/${id}/withdraw`, {}),
  preview: (id: number) => api.get<FeedMessageDto>(`/messages/${id}/preview`),
  stats: (id: number, orgId?: number) => api.get<MessageStatsDto>(`/messages/${id}/stats`, { query: { orgId } }),
  remind: (id: number, orgIds?: number[]) => api.post<RemindUnitsResponse>(`/messages/${id}/remind-units`, orgIds ? { orgIds } : {}, { idempotent: true }),
  calendar: (year?: number) => api.get<CalendarDto>('/publicity/calendar', { query: { year } }),
};

export const pct = (r: number | null | undefined) => (r == null ? '—' : `${Math.round(r * 100)}%`);
