/** Pledge API calls (承诺书): campaigns, roster, signing, my pledges, officer progress and exports. */
import Taro from '@tarojs/taro';
import type {
  CreatePledgeCampaignRequest,
  Paginated,
  PledgeCampaignDetailDto,
  PledgeCampaignDto,
  PledgeRemindResult,
  PledgeRosterImportResult,
  PledgeRosterPickDto,
  PledgeSignatureDetailDto,
  PledgeSignatureDto,
  PledgeTemplateDto,
  PledgeUnsignedDto,
  PledgeVerifyResult,
  SignPledgeRequest,
} from '@xiangan/shared';
import { apiUrl } from './config';
import { api, authHeader, sendAuthed, toApiError, withRetries } from './request';

export const pledgesApi = {
  campaigns: (query: { page?: number; pageSize?: number; kind?: string } = {}) => api.get<Paginated<PledgeCampaignDto>>('/pledge-campaigns', { query }),
  campaign: (id: number) => api.get<PledgeCampaignDetailDto>(`/pledge-campaigns/${id}`),
  create: (body: CreatePledgeCampaignRequest) => api.post<PledgeCampaignDetailDto>('/pledge-campaigns', body, { idempotent: true }),
  templates: () => api.get<PledgeTemplateDto[]>('/pledge-templates'),
  rosterPick: (id: number, q: string) => api.get<PledgeRosterPickDto[]>(`/pledge-campaigns/${id}/roster`, { query: { q } }),
  /** Retried with the same key: a lost answer never makes a second signature. */
  sign: (id: number, body: SignPledgeRequest, key: string) =>
    api.post<PledgeSignatureDto>(`/pledge-campaigns/${id}/signatures`, body, { idempotent: key, tries: 4, timeout: 30000 }),
  mine: (page = 1) => api.get<Paginated<PledgeSignatureDto>>('/my/pledges', { query: { page, pageSize: 50 } }),
  signature: (id: number) => api.get<PledgeSignatureDetailDto>(`/pledge-signatures/${id}`),
  unsigned: (id: number, page = 1, group?: string) =>
    api.get<Paginated<PledgeUnsignedDto>>(`/pledge-campaigns/${id}/unsigned`, { query: { page, pageSize: 50, group } }),
  remind: (id: number) => api.post<PledgeRemindResult>(`/pledge-campaigns/${id}/remind`, {}),
  close: (id: number) => api.post<PledgeCampaignDetailDto>(`/pledge-campaigns/${id}/close`, {}),
  /** The signature chain recomputed; with `images` (slow on big campaigns) every signature image re-hashed too. */
  verify: (id: number, images = true) =>
    api.get<PledgeVerifyResult>(`/pledge-campaigns/${id}/verify`, { query: { images: images ? 'true' : 'false' }, timeout: 120000 }),
  /** Officers: the campaign's signatures in chain order (voided ones marked). */
  signatures: (id: number, page = 1) => api.get<Paginated<PledgeSignatureDto>>(`/pledge-campaigns/${id}/signatures`, { query: { page, pageSize: 50 } }),
  /** Officers: void a signature (e.g. not signed by the guardian) with a reason; the pledge is unsigned again. */
  voidSignature: (signatureId: number, reason: string) => api.post<PledgeSignatureDetailDto>(`/pledge-signatures/${signatureId}/void`, { reason }),
};

/** Absolute URL of an image the server signed (works in <Image> without headers). */
export const signedImageUrl = (path: string) => apiUrl(path);

/** Uploads a roster file (.xlsx / .csv). h5: a File from <input type=file>; weapp: a temp path from chooseMessageFile. */
export async function uploadRoster(id: number, file: File | string, name = 'roster.xlsx'): Promise<PledgeRosterImportResult> {
  const url = apiUrl(`/pledge-campaigns/${id}/roster`);
  if (process.env.TARO_ENV === 'h5' && typeof file !== 'string') {
    const form = new FormData();
    form.append('file', file, file.name || name);
    const res = await sendAuthed(
      () => fetch(url, { method: 'POST', headers: authHeader(), body: form }),
      (r) => r.status,
    );
    const body = await res.json().catch(() => ({}));
    if (!res.ok) throw toApiError(res.status, body);
    return body as PledgeRosterImportResult;
  }
  return withRetries(async () => {
    const res = await sendAuthed(
      () => Taro.uploadFile({ url, filePath: file as string, name: 'file', header: authHeader() }),
      (r) => r.statusCode,
    );
    if (res.statusCode < 200 || res.statusCode >= 300) throw toApiError(res.statusCode, res.data);
    return JSON.parse(res.data) as PledgeRosterImportResult;
  }, false);
}

/** Fetches a binary the API serves behind the token (QR code, exports). h5 → object URL; weapp → temp file path. */
export async function fetchBinary(path: string): Promise<string> {
  const url = apiUrl(path);
  if (process.env.TARO_ENV === 'h5') {
    const res = await sendAuthed(
      () => fetch(url, { headers: authHeader() }),
      (r) => r.status,
    );
    if (!res.ok) throw toApiError(res.status, await res.json().catch(() => ({})));
    return URL.createObjectURL(await res.blob());
  }
  const res = await sendAuthed(
    () => Taro.downloadFile({ url, header: authHeader() }),
    (r) => r.statusCode,
  );
  if (res.statusCode !== 200) throw toApiError(res.statusCode, '');
  return res.tempFilePath;
}

/** Downloads an export and opens it (weapp: openDocument; h5: browser download). */
export async function openExport(path: string, filename: string): Promise<void> {
  const local = await fetchBinary(path);
  if (process.env.TARO_ENV === 'h5') {
    const a = document.createElement('a');
    a.href = local;
    a.download = filename;
    document.body.appendChild(a);
    a.click();
    a.remove();
    return;
  }
  await Taro.openDocument({ filePath: local, showMenu: true, fileType: filename.endsWith('.pdf') ? 'pdf' : 'xlsx' });
}
