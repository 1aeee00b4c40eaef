/**
 * Offline drafts kept in Taro storage, per kind (e.g. 'hazard'), so a report written without signal survives.
 *   const id = saveDraft('hazard', form);            // new draft
 *   saveDraft('hazard', form, id);                    // update it
 *   listDrafts<HazardForm>('hazard'); getDraft('hazard', id); removeDraft('hazard', id);
 * Keep a draft's idempotency key inside `data` so a resubmission after a lost answer creates nothing twice.
 */
import Taro from '@tarojs/taro';

export interface Draft<T = unknown> {
  id: string;
  kind: string;
  /** epoch ms */
  savedAt: number;
  data: T;
}

const MAX_PER_KIND = 20;
const key = (kind: string) => `xa_drafts_${kind}`;

function read<T>(kind: string): Draft<T>[] {
  try {
    const v = Taro.getStorageSync(key(kind));
    return Array.isArray(v) ? (v as Draft<T>[]) : [];
  } catch {
    return [];
  }
}

function write<T>(kind: string, list: Draft<T>[]): void {
  Taro.setStorageSync(key(kind), list);
}

/** Newest first. */
export function listDrafts<T = unknown>(kind: string): Draft<T>[] {
  return read<T>(kind).sort((a, b) => b.savedAt - a.savedAt);
}

export function getDraft<T = unknown>(kind: string, id: string): Draft<T> | null {
  return read<T>(kind).find((d) => d.id === id) ?? null;
}

/** Saves (or replaces `id`) and returns the draft id. Oldest drafts beyond 20 per kind are dropped. */
export function saveDraft<T = unknown>(kind: string, data: T, id?: string): string {
  const draftId = id ?? `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const list = read<T>(kind).filter((d) => d.id !== draftId);
  list.unshift({ id: draftId, kind, savedAt: Date.now(), data });
  write(kind, list.sort((a, b) => b.savedAt - a.savedAt).slice(0, MAX_PER_KIND));
  return draftId;
}

export function removeDraft(kind: string, id: string): void {
  write(
    kind,
    read(kind).filter((d) => d.id !== id),
  );
}

export function countDrafts(kind: string): number {
  return read(kind).length;
}
