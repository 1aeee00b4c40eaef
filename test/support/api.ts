/**
 * A small HTTP client for the proof suites: every call has a timeout (a hang is a failure, not a wait),
 * answers come back as { status, body, headers, ms } and never throw for 4xx/5xx.
 *
 *   const api = new Api(srv.baseUrl);
 *   const town = await api.login('demo-town');
 *   const r = await api.call('GET', '/api/hazards', { token: town.token });
 */
export interface Answer<T = any> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
  ms: number;
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  /** Sent as-is (string, Buffer, FormData): no JSON encoding. */
  raw?: BodyInit;
  headers?: Record<string, string>;
  query?: Record<string, string | number | boolean | undefined>;
  timeoutMs?: number;
}

export interface Session {
  token: string;
  user: { id: number; role: string; orgId: number; orgPath?: string; name?: string; [k: string]: unknown };
}

/** Status -1 means the network failed (refused, reset); -2 a timeout. */
export class Api {
  constructor(
    public baseUrl: string,
    public defaultTimeoutMs = 15_000,
  ) {}

  async call<T = any>(method: string, path: string, o: CallOptions = {}): Promise<Answer<T>> {
    const url = new URL(path, this.baseUrl);
    for (const [k, v] of Object.entries(o.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    let body: BodyInit | undefined = o.raw;
    if (o.body !== undefined && o.raw === undefined) {
      body = JSON.stringify(o.body);
      headers['content-type'] ??= 'application/json';
    }
    const t = Date.now();
    try {
      const res = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(o.timeoutMs ?? this.defaultTimeoutMs) });
      const buf = Buffer.from(await res.arrayBuffer());
      const ctype = res.headers.get('content-type') ?? '';
      const text = ctype.includes('json') || ctype.startsWith('text/') ? buf.toString('utf8') : '';
      let parsed: any = buf;
      if (ctype.includes('json')) {
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = text;
        }
      } else if (ctype.startsWith('text/')) parsed = text;
      return { status: res.status, body: parsed, text, headers: res.headers, ms: Date.now() - t };
    } catch (e) {
      const err = e as Error & { name: string };
      const timeout = err.name === 'TimeoutError' || err.name === 'AbortError';
      const body = { error: err.message, cause: String((err as any).cause ?? '') } as unknown as T;
      return { status: timeout ? -2 : -1, body, text: '', headers: new Headers(), ms: Date.now() - t };
    }
  }

  async login(openid: string, role?: string, orgId?: number): Promise<Session> {
    const r = await this.call('POST', '/api/auth/dev', { body: { openid, ...(role ? { role } : {}), ...(orgId ? { orgId } : {}) } });
    if (r.status !== 200) throw new Error(`dev login ${openid} failed: ${r.status} ${JSON.stringify(r.body)}`);
    return { token: r.body.token, user: r.body.user };
  }
}

/** The demo accounts (server/src/database/seed/orgs.seed.ts) by role. */
export const DEMO = {
  resident: 'demo-resident', // 王桂英, 柳林村
  parent: 'demo-parent', // 张德明, 河口村
  grid: 'demo-grid', // 柳林村第一网格
  village: 'demo-village', // 柳林村
  villageHekou: 'demo-village-hekou', // 河口村
  town: 'demo-town', // 石桥镇
  townBaisha: 'demo-town-baisha', // 白沙镇
  dept: 'demo-dept', // 石桥市场监督管理所
  school: 'demo-school',
  county: 'demo-county',
  admin: 'demo-admin',
} as const;

/** One demo account per role for the role sweep. */
export const ROLE_ACCOUNTS: Record<string, string> = {
  resident: DEMO.resident,
  grid_officer: DEMO.grid,
  village_officer: DEMO.village,
  town_officer: DEMO.town,
  department_officer: DEMO.dept,
  county_officer: DEMO.county,
  admin: DEMO.admin,
};

/** Runs `fn` over `items` with at most `n` in flight. */
export async function pool<T, R>(items: T[], n: number, fn: (x: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i], i);
      }
    }),
  );
  return out;
}
