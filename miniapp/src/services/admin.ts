/** Setting up a county: the unit tree (import, edit), invitations, people. Types from @xiangan/shared (admin.ts, org.ts). */
import Taro from '@tarojs/taro';
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
import { apiUrl } from './config';
import { api, authHeader, handleUnauthorized, toApiError } from './request';

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

export const UNIT_TEMPLATE_URL = apiUrl('/unit-import/template');

/** Uploads the unit spreadsheet. h5: a File from <input type=file>; weapp: a temp path from chooseMessageFile. */
export async function uploadUnits(file: File | string, dryRun: boolean): Promise<UnitImportResult> {
  const url = apiUrl(`/unit-import${dryRun ? '?dryRun=true' : ''}`);
  if (process.env.TARO_ENV === 'h5' && typeof file !== 'string') {
    const form = new FormData();
    form.append('file', file, file.name || 'units.xlsx');
    const res = await fetch(url, { method: 'POST', headers: authHeader(), body: form });
    const body = await res.json().catch(() => ({}));
    if (res.status === 401) handleUnauthorized();
    if (!res.ok) throw toApiError(res.status, body);
    return body as UnitImportResult;
  }
  const res = await Taro.uploadFile({ url, filePath: file as string, name: 'file', header: authHeader() });
  if (res.statusCode === 401) handleUnauthorized();
  if (res.statusCode < 200 || res.statusCode >= 300) throw toApiError(res.statusCode, res.data);
  return JSON.parse(res.data) as UnitImportResult;
}

/** Picks an .xlsx: h5 through a file input, weapp from a chat (chooseMessageFile). */
export async function pickXlsx(): Promise<File | string | null> {
  if (process.env.TARO_ENV === 'h5') {
    return new Promise<File | null>((resolve) => {
      const input = document.createElement('input');
      input.type = 'file';
      input.accept = '.xlsx';
      input.onchange = () => resolve(input.files?.[0] ?? null);
      input.click();
    });
  }
  const picked = await Taro.chooseMessageFile({ count: 1, type: 'file', extension: ['xlsx'] });
  return picked.tempFiles[0]?.path ?? null;
}

/** The template: h5 downloads it; weapp opens it (then 转发 / 用其他应用打开 to fill it on a computer). */
export async function openUnitTemplate(): Promise<void> {
  if (process.env.TARO_ENV === 'h5') {
    window.open(UNIT_TEMPLATE_URL, '_blank');
    return;
  }
  const res = await Taro.downloadFile({ url: UNIT_TEMPLATE_URL });
  await Taro.openDocument({ filePath: res.tempFilePath, fileType: 'xlsx', showMenu: true });
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
