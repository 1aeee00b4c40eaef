/** Hazards (隐患随手拍 and the ledger): every call the pages make, typed with @xiangan/shared. */
import type {
  AnswerHazardRequest,
  AssignHazardRequest,
  ConfirmFixedRequest,
  HazardMapDto,
  CreateHazardRequest,
  EscalateHazardRequest,
  HazardAction,
  HazardCreatedDto,
  HazardDetailDto,
  HazardLedgerDto,
  HazardListQuery,
  HazardStatus,
  MediaRef,
  MediaReviewRequest,
  MonthlyReportDto,
  NoteRequest,
  NotificationListDto,
  RectifyHazardRequest,
  RejectHazardRequest,
  VerifyHazardRequest,
} from '@xiangan/shared';
import { beijingDate, beijingTime, beijingToday, HAZARD_STATUS_LABELS } from '@xiangan/shared';
import type { Tone } from '../components';
import { apiUrl } from './config';
import { openFile } from '../platform/files';
import { api, buildQuery, newIdempotencyKey } from './request';

export const hazardsApi = {
  /** `key` is kept with the draft so a resend after a lost answer never makes a second report. */
  create: (body: CreateHazardRequest, key: string) => api.post<HazardCreatedDto>('/hazards', body, { idempotent: key || newIdempotencyKey() }),
  list: (q: HazardListQuery) => api.get<HazardLedgerDto>('/hazards', { query: q as Record<string, string | number | boolean | undefined> }),
  detail: (id: number) => api.get<HazardDetailDto>(`/hazards/${id}`),
  act: (
    id: number,
    action: HazardAction,
    body:
      | AssignHazardRequest
      | RectifyHazardRequest
      | VerifyHazardRequest
      | RejectHazardRequest
      | EscalateHazardRequest
      | AnswerHazardRequest
      | NoteRequest
      | Record<string, never>,
  ) => api.post<HazardDetailDto>(`/hazards/${id}/${action}`, body, { idempotent: true }),
  map: (bbox: [number, number, number, number]) => api.get<HazardMapDto>('/hazards/map', { query: { bbox: bbox.join(',') } }),
  /** The reporter's answer to 修好了吗？ (not fixed reopens it). */
  confirm: (id: number, body: ConfirmFixedRequest) => api.post<HazardDetailDto>(`/hazards/${id}/confirm`, body, { idempotent: true }),
  monthly: (month: string, orgId?: number) => api.get<MonthlyReportDto>('/reports/monthly', { query: { month, orgId } }),
  notifications: () => api.get<NotificationListDto>('/notifications'),
  /** 人工复核 of a photo (officers): pass → villagers see it; risky → hidden from them. */
  reviewPhoto: (mediaId: number, verdict: MediaReviewRequest['verdict']) => api.post<MediaRef>(`/media/${mediaId}/review`, { verdict }, { idempotent: true }),
};

/** Image URLs from the API are signed paths under /api; weapp needs them absolute. */
export function mediaSrc(url: string | null | undefined): string {
  return url ? apiUrl(url) : '';
}

export function statusTone(status: HazardStatus, overdue?: boolean): Tone {
  if (overdue) return 'warning';
  if (status === 'closed') return 'success';
  if (status === 'rejected') return 'default';
  if (status === 'escalated') return 'danger';
  return 'primary';
}

export const statusText = (s: HazardStatus) => HAZARD_STATUS_LABELS[s];

/** China-time `MM-DD HH:mm` / `YYYY-MM-DD`. */
export function shortTime(iso: string | null | undefined, withYear = false): string {
  return withYear ? beijingDate(iso) : beijingTime(iso).slice(5);
}

/** export.xlsx: h5 saves it; weapp opens it in WeChat's viewer. */
export function exportLedger(q: HazardListQuery): Promise<void> {
  return openFile('/hazards/export.xlsx' + buildQuery(q as Record<string, string | number | boolean | undefined>), `隐患台账-${beijingToday()}.xlsx`);
}
