/**
 * 长辈模式 (large text, bigger tap targets; China MIIT aging-friendly rules). PageShell puts the class `xa-elder`
 * on every page's root while it is on, and `.xa-elder` raises the size tokens (styles/tokens.scss).
 *
 * The user's choice is remembered per user on this phone (`xa_elder_<userId>`: 'on' | 'off'). With no choice yet it
 * follows the phone: on when WeChat's / the system's font setting (weapp) or the browser's default font size (h5)
 * is large.
 *
 *   const on = useElder();          // in a component
 *   elder.set(me.id, true);         // the switch on 我的
 */
import Taro from '@tarojs/taro';
import { useSyncExternalStore } from 'react';
import { markDocument, systemFontPx } from '../platform/system';

const KEY = 'xa_elder_';
/** A font setting at or above this many CSS px counts as large (the usual default is 16–17). */
export const LARGE_FONT_PX = 20;

const listeners = new Set<() => void>();
let userId: string | null = null;
let on = false;
let started = false;

function stored(id: string | null): boolean | null {
  if (!id) return null;
  try {
    const v = Taro.getStorageSync(KEY + id);
    return v === 'on' ? true : v === 'off' ? false : null;
  } catch {
    return null;
  }
}

function apply(next: boolean) {
  if (next === on) return;
  on = next;
  markDocument('xa-elder', on);
  listeners.forEach((l) => l());
}

export const elder = {
  get: () => on,
  /** Whether the user chose explicitly (else it follows the phone). */
  chosen: () => stored(userId) !== null,
  /** Call when the signed-in user is known (or null after logout). */
  forUser(id: string | null) {
    if (started && id === userId) return;
    started = true;
    userId = id;
    apply(stored(id) ?? systemFontPx() >= LARGE_FONT_PX);
  },
  set(id: string, value: boolean) {
    userId = id;
    Taro.setStorageSync(KEY + id, value ? 'on' : 'off');
    apply(value);
  },
  subscribe(l: () => void) {
    listeners.add(l);
    return () => listeners.delete(l);
  },
};

export function useElder(): boolean {
  return useSyncExternalStore(elder.subscribe, elder.get, elder.get);
}
