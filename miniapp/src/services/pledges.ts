/** Pledge API calls (承诺书): campaigns, roster, signing, my pledges, officer progress and exports. */
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
import { fetchFile, openFile, uploadFile, type PickedFile } from '../platform/files';
import { api } from './request';

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

/** Uploads a roster file (.xlsx / .csv) the officer picked. Not retried: a second import would count twice. */
export function uploadRoster(id: number, picked: PickedFile): Promise<PledgeRosterImportResult> {
  return uploadFile<PledgeRosterImportResult>(`/pledge-campaigns/${id}/roster`, picked);
}

/** A binary the API serves behind the token (a QR code). h5 → object URL; weapp → temp file path. */
export const fetchBinary = fetchFile;

/** Downloads an export and opens it (weapp: openDocument; h5: browser download). */
export const openExport = openFile;
