/**
 * What a weapp journey runs against: the fake WeChat server (jscode2session, subscribe sends) and the built API
 * server on a fresh SQLite database seeded with the demo town, with WeChat login configured and the subscribe
 * templates set. `phone(openid)` gives a new phone whose wx.login stands for that openid.
 *   const w = await startWorld(); const app = await w.phone('dev:demo-town').launch(); …; await w.stop();
 * Seeded accounts log in by their openid (`dev:demo-town` is the town officer 张建国, `dev:demo-parent` a parent);
 * any other openid is a first-time WeChat user.
 */
import { join } from 'node:path';
import { SERVER_DIST } from '../support/proc';
import { RunningServer, startServer } from '../support/server';
import { API_ORIGIN, requireBuild } from './build';
import { Phone } from './harness';

export const TEMPLATES = {
  WECHAT_TPL_PUBLICITY: 'tpl-publicity-0001',
  WECHAT_TPL_HAZARD_UPDATE: 'tpl-hazard-update-0001',
  WECHAT_TPL_HAZARD_DEADLINE: 'tpl-hazard-deadline-0001',
  WECHAT_TPL_PLEDGE: 'tpl-pledge-0001',
};

export interface World {
  server: RunningServer;
  wechat: any;
  phone(openid: string): Phone;
  /** Logs in over HTTP as a seeded account (dev login) for setting up data. */
  token(openid: string): Promise<string>;
  api<T = any>(token: string, method: string, path: string, body?: unknown): Promise<T>;
  stop(): Promise<void>;
}

export async function startWorld(env: Record<string, string> = {}): Promise<World> {
  requireBuild();

  const { FakeWechat } = require(join(SERVER_DIST, 'testing', 'fake-wechat.js'));
  const wechat = await new FakeWechat().start();
  let server: RunningServer;
  try {
    server = await startServer({
      requireH5: false,
      env: {
        ...wechat.env(),
        ...TEMPLATES,
        PUBLIC_BASE_URL: API_ORIGIN,
        RATE_LIMIT_PER_MINUTE: '100000',
        RATE_LIMIT_WRITES_PER_MINUTE: '100000',
        TRUST_PROXY: 'loopback',
        ...env,
      },
    });
  } catch (e) {
    await wechat.stop();
    throw e;
  }
  const phones: Phone[] = [];
  const api = async (token: string, method: string, path: string, body?: unknown) => {
    const r = await fetch(`${server.baseUrl}/api${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} ${path} → ${r.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  return {
    server,
    wechat,
    phone(openid) {
      const p = new Phone({ serverUrl: server.baseUrl, wechat, openid });
      phones.push(p);
      return p;
    },
    token: async (openid) => (await api('', 'POST', '/auth/dev', { openid: openid.replace(/^dev:/, '') })).token,
    api,
    async stop() {
      for (const p of phones) for (const a of p.apps) await a.close();
      await server.stop();
      await wechat.stop();
    },
  };
}
