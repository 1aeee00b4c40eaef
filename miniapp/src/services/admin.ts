/** Setting up a county: the unit tree (import, edit), invitations, people. Types from @xiangan/shared (admin.ts, org.ts). */
import type {
  CreateInvitationRequest,
  HandoverResult,
  InvitationDto,
  InvitationPreviewDto,
  OrgUnitDto,
  Paginated,
  PersonDto,
  Role,
  UnitImportResult,
  UpdateOrgUnitRequest,
  UpdatePersonRequest,
} from '@xiangan/shared';
import { openFile, uploadFile, type PickedFile } from '../platform/files';
import { api } from './request';

export const adminApi = {
  orgTree: () => api.get<OrgUnitDto[]>('/orgs'),
  /** PUT, not PATCH: wx.request has no PATCH. */
  updateOrg: (id: number, body: UpdateOrgUnitRequest) => api.put<OrgUnitDto>(`/orgs/${id}`, body),

  invitations: (page = 1) => api.get<Paginated<InvitationDto>>('/invitations', { query: { page, pageSize: 50 } }),
  invitation: (id: number) => api.get<InvitationDto>(`/invitations/${id}`),
  createInvitation: (body: CreateInvitationRequest) => api.post<InvitationDto>('/invitations', body),
  revokeInvitation: (id: number) => api.post<InvitationDto>(`/invitations/${id}/revoke`),
  previewInvitation: (code: string) => api.get<InvitationPreviewDto>(`/invitations/code/${encodeURIComponent(code)}`, { auth: false, noLoginRedirect: true }),
  acceptInvitation: (code: string) => api.post<{ role: Role; orgId: number | null; orgName: string | null }>('/invitations/accept', { code }),

  people: (query: { q?: string; role?: string; page?: number; includeDisabled?: boolean; officersOnly?: boolean }) =>
    api.get<Paginated<PersonDto>>('/people', { query: { pageSize: 50, ...query } }),
  updatePerson: (id: number, body: UpdatePersonRequest) => api.put<PersonDto>(`/people/${id}`, body),
  handover: (id: number, toUserId: number) => api.post<HandoverResult>(`/people/${id}/handover`, { toUserId }),
};

/** Uploads the unit spreadsheet; a dry run only reads it (and may be retried). */
export function uploadUnits(picked: PickedFile, dryRun: boolean): Promise<UnitImportResult> {
  return uploadFile<UnitImportResult>(`/unit-import${dryRun ? '?dryRun=true' : ''}`, picked, { retrySafe: dryRun });
}

/** The template: h5 saves it; weapp opens it (then 转发 / 用其他应用打开 to fill it on a computer). */
export function openUnitTemplate(): Promise<void> {
  return openFile('/unit-import/template', '单位导入模板.xlsx');
}

/** The invitation code in the page options: `code`, a mini-program code's `scene`, or an ordinary QR's `q` (the link). */
export function invitationCodeFrom(params: Record<string, string | undefined>): string {
  if (params.code) return decodeURIComponent(params.code);
  if (params.scene) return decodeURIComponent(params.scene);
  if (params.q) {
    const m = /[?&]code=([A-Za-z0-9_-]+)/.exec(decodeURIComponent(params.q));
    if (m) return m[1];
  }
  return '';
}
