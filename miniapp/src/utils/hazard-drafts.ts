/**
 * Hazard report drafts that get sent, once, whatever the network does.
 *
 *   const { id } = await saveHazardDraft({ ...form, request }, draftId);   // photos kept durably (platform/photos.ts)
 *   const res = await sendHazardDraft(id, (step) => Taro.showLoading({ title: step }));
 *   startDraftAutoSend();       // app launch: sends waiting drafts now and whenever the network comes back
 *   deleteHazardDraft(id);      // removes the draft and its kept photos
 *
 * Exactly once: one send per draft at a time in this app (a second caller gets the same promise), and the draft's
 * idempotency key (`key`, kept with the draft) makes the server answer a repeated POST with the first hazard.
 * A draft whose send failed for a reason other than the network (a photo is gone, the server refused it) carries
 * `problem` and is not sent by itself again until the user submits it.
 */
import Taro from '@tarojs/taro';
import type { CreateHazardRequest, HazardCreatedDto } from '@xiangan/shared';
import { hazardsApi } from '../services/hazards';
import { awaitLogin, errorText, getToken, isApiError } from '../services/request';
import { uploadImage } from '../services/upload';
import { getDraft, listDrafts, removeDraft, saveDraft } from './drafts';
import { dropPhoto, keepPhoto, keptPhotosAreCompressed, photoUrl, PhotoMissingError } from '../platform/photos';
import { onNetworkBack } from '../platform/system';

export { PhotoMissingError, PhotoStorageError } from '../platform/photos';

const KIND = 'hazard';

export interface DraftPhoto {
  /** What <Image> shows now (a temp path / blob URL, or the kept copy). */
  path: string;
  /** The durable copy (weapp saved file / h5 IndexedDB key) once the draft was saved. */
  kept?: string;
  /** Media id once uploaded. */
  id?: number;
}

export interface HazardDraftData {
  photos: DraftPhoto[];
  /** Idempotency-Key of this report: the same for every attempt. */
  key: string;
  /** The request as the page built it when the user pressed 提交 (photoIds are added when sending). */
  request?: Omit<CreateHazardRequest, 'photoIds'>;
  /** Why the last attempt failed, when it was not the network (shown in the draft list). */
  problem?: string;
  [field: string]: unknown;
}

const listeners = new Set<() => void>();
/** The report page refreshes its draft list when a draft is sent in the background. */
export function onDraftsChanged(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}
const changed = () => listeners.forEach((fn) => fn());

/** Saves the draft (new or `id`) with its photos kept durably; photos taken out of the form are deleted. */
export async function saveHazardDraft<T extends HazardDraftData>(data: T, id?: string): Promise<{ id: string; data: T }> {
  const before = id ? getDraft<T>(KIND, id) : null;
  const photos: DraftPhoto[] = [];
  for (let i = 0; i < data.photos.length; i++) {
    const p = data.photos[i];
    if (p.kept || p.id) {
      photos.push(p);
      continue;
    }
    try {
      photos.push({ ...p, kept: await keepPhoto(p.path) });
    } catch (err) {
      throw err instanceof PhotoMissingError ? new PhotoMissingError(i) : err;
    }
  }
  const keep = new Set(photos.map((p) => p.kept).filter(Boolean));
  for (const p of before?.data.photos ?? []) if (p.kept && !keep.has(p.kept)) await dropPhoto(p.kept);
  const next = { ...data, photos, problem: undefined } as T;
  const draftId = saveDraft(KIND, next, id);
  changed();
  return { id: draftId, data: next };
}

/** Drafts saved before photos were kept have no `request`: rebuild it from the form fields they had. */
function requestOf(d: HazardDraftData): Omit<CreateHazardRequest, 'photoIds'> {
  if (d.request) return d.request;
  const f = d as unknown as Partial<CreateHazardRequest>;
  return {
    category: f.category as CreateHazardRequest['category'],
    description: String(f.description ?? '').trim(),
    ...(typeof f.lat === 'number' ? { lat: f.lat, lng: f.lng } : {}),
    address: String(f.address ?? '').trim() || undefined,
    anonymous: !!f.anonymous,
    contactPhone: f.contactPhone || undefined,
  };
}

const sending = new Map<string, Promise<HazardCreatedDto>>();

/** Upload the draft's photos (each only once) and create the hazard; on success the draft and its photos are gone. */
export function sendHazardDraft(id: string, onStep?: (text: string) => void): Promise<HazardCreatedDto> {
  const running = sending.get(id);
  if (running) return running;
  const p = doSend(id, onStep).finally(() => sending.delete(id));
  sending.set(id, p);
  return p;
}

async function doSend(id: string, onStep?: (text: string) => void): Promise<HazardCreatedDto> {
  const d = getDraft<HazardDraftData>(KIND, id);
  if (!d) throw new Error('这份草稿已经提交或删除了');
  const data = d.data;
  const photos = [...data.photos];
  try {
    for (let i = 0; i < photos.length; i++) {
      if (photos[i].id) continue;
      onStep?.(`上传照片 ${i + 1}/${photos.length}`);
      let src: string;
      try {
        src = await photoUrl(photos[i].kept ?? photos[i].path);
      } catch (err) {
        throw err instanceof PhotoMissingError ? new PhotoMissingError(i) : err;
      }
      // weapp photos were compressed when kept; h5 keeps the original bytes and compresses now
      const m = await uploadImage(src, keptPhotosAreCompressed && photos[i].kept ? { raw: true } : {});
      photos[i] = { ...photos[i], id: Number(m.id) };
      saveDraft(KIND, { ...data, photos }, id); // an uploaded photo is not uploaded again
    }
    onStep?.('正在提交');
    const res = await hazardsApi.create({ ...requestOf(data), photoIds: photos.map((x) => x.id!) }, data.key);
    removeDraft(KIND, id);
    for (const x of photos) await dropPhoto(x.kept);
    changed();
    return res;
  } catch (err) {
    const network = isApiError(err) && (err.isNetwork || err.statusCode >= 500 || err.statusCode === 429);
    if (!network && getDraft(KIND, id)) {
      saveDraft(KIND, { ...data, photos, problem: err instanceof PhotoMissingError ? err.message : errorText(err) || '提交没有成功' }, id);
      changed();
    }
    throw err;
  }
}

/** Removes a draft and deletes its kept photos. */
export async function deleteHazardDraft(id: string): Promise<void> {
  const d = getDraft<HazardDraftData>(KIND, id);
  removeDraft(KIND, id);
  for (const p of d?.data.photos ?? []) await dropPhoto(p.kept);
  changed();
}

/** Photos of a reopened draft with paths that show now (h5: fresh blob URLs from IndexedDB); gone ones stay as they were. */
export async function showablePhotos(photos: DraftPhoto[]): Promise<DraftPhoto[]> {
  return Promise.all(photos.map(async (p) => (p.kept ? { ...p, path: await photoUrl(p.kept).catch(() => p.path) } : p)));
}

export const listHazardDrafts = <T extends HazardDraftData>() => listDrafts<T>(KIND);

let flushing: Promise<number> | null = null;
/** Sends every submitted draft that failed only for want of network. Resolves to how many were sent. */
export function flushHazardDrafts(): Promise<number> {
  if (!flushing) {
    flushing = (async () => {
      let sent = 0;
      await awaitLogin();
      if (!getToken()) return 0; // not logged in: nothing to send as (the login page is not forced on anyone)
      for (const d of listDrafts<HazardDraftData>(KIND).reverse()) {
        if (!d.data.request || d.data.problem) continue;
        try {
          await sendHazardDraft(d.id);
          sent++;
        } catch (err) {
          if (isApiError(err) && err.isNetwork) break; // still offline: try again when the network returns
        }
      }
      if (sent) Taro.showToast({ title: `${sent}份草稿已自动提交`, icon: 'success', duration: 2500 });
      return sent;
    })().finally(() => (flushing = null));
  }
  return flushing;
}

let started = false;
/** App launch: send waiting drafts now (after a restart) and every time the network comes back. */
export function startDraftAutoSend(): void {
  if (started) return;
  started = true;
  const flush = () => void flushHazardDrafts();
  onNetworkBack(flush);
  // first try once the app has settled (the launch login is awaited by every request)
  setTimeout(flush, 1500);
}
