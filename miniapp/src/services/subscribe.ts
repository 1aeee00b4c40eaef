/**
 * Subscribe-message consent (weapp). WeChat shows its consent dialog only when `wx.requestSubscribeMessage` is called
 * synchronously inside a tap — an `await` before it and the call fails. So:
 *
 *   useSubscribeTemplates();                      // on page load: fetch GET /api/subscriptions ahead of time
 *   const submit = () => {                        // the tap handler
 *     if (!valid()) return;                        // synchronous checks are fine
 *     askSubscribe(['hazardUpdate']);              // FIRST, before any await
 *     await …                                      // then the real work
 *   };
 *
 * The user's answers are posted to `POST /api/subscriptions` (each `accept` = one message the server may send).
 * At most 3 templates per call (WeChat's limit). h5 has no subscribe messages: everything here is a no-op.
 */
import Taro from '@tarojs/taro';
import type { SubscribeTemplateKey, SubscriptionsDto } from '@xiangan/shared';
import { useEffect } from 'react';
import { api } from './request';
import { canSubscribe } from '../platform/system';

export const MAX_TEMPLATES_PER_ASK = 3;
const ANSWERS = ['accept', 'reject', 'ban', 'filter'];

let templates: SubscriptionsDto['templates'] | null = null;
let loading: Promise<void> | null = null;

/** Fetch the configured templates once (again after `force`). Never throws. */
export function prefetchSubscriptions(force = false): Promise<void> {
  if (!canSubscribe) return Promise.resolve();
  if (templates && !force) return Promise.resolve();
  if (!loading) {
    loading = api
      .get<SubscriptionsDto>('/subscriptions')
      .then((r) => void (templates = r.templates))
      .catch(() => undefined)
      .finally(() => (loading = null));
  }
  return loading;
}

/** Page hook: have the template ids ready before the user taps. */
export function useSubscribeTemplates(): void {
  useEffect(() => {
    void prefetchSubscriptions();
  }, []);
}

/** The template ids to ask for: configured, not banned by the user, in the order given, at most 3. */
export function templateIdsFor(keys: SubscribeTemplateKey[]): string[] {
  if (!templates) return [];
  const ids: string[] = [];
  for (const k of keys) {
    const t = templates.find((x) => x.key === k && !x.banned && x.templateId);
    if (t && !ids.includes(t.templateId)) ids.push(t.templateId);
  }
  return ids.slice(0, MAX_TEMPLATES_PER_ASK);
}

/**
 * Call synchronously at the start of a tap handler. Shows WeChat's consent dialog for `keys` (the first 3 that are
 * configured) and reports the answers to the server in the background. Resolves to the ids accepted ([] on h5,
 * when nothing is configured or the templates have not arrived yet, or on any failure) — never rejects.
 */
export function askSubscribe(keys: SubscribeTemplateKey[]): Promise<string[]> {
  if (!canSubscribe) return Promise.resolve([]);
  const ids = templateIdsFor(keys);
  if (!ids.length) {
    void prefetchSubscriptions(true); // maybe the page-load fetch failed: be ready for the next tap
    return Promise.resolve([]);
  }
  let asked: Promise<unknown>;
  try {
    // no await before this line: WeChat requires the call inside the tap's own turn
    asked = Taro.requestSubscribeMessage({ tmplIds: ids, entityIds: [] } as unknown as Taro.requestSubscribeMessage.Option);
  } catch {
    return Promise.resolve([]);
  }
  return Promise.resolve(asked)
    .then(async (r) => {
      const answers = (r ?? {}) as Record<string, string>;
      const results: Record<string, string> = {};
      for (const id of ids) results[id] = ANSWERS.includes(answers[id]) ? answers[id] : 'reject';
      const after = await api.post<SubscriptionsDto>('/subscriptions', { templateIds: ids, results });
      templates = after.templates;
      return ids.filter((id) => results[id] === 'accept');
    })
    .catch(() => [] as string[]);
}
