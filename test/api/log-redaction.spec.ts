/**
 * Issue 13, finding 12: the info request log of the BUILT server (what ops keep for weeks) holds no signed-URL
 * `sig`, no names typed into `q=` (children's names from roster lookups), no login code, token or phone from a
 * query string. Reads the server's real stdout.
 */
import { RunningServer, startServer } from '../support/server';

let srv: RunningServer;

beforeAll(async () => {
  srv = await startServer({ env: { LOG_LEVEL: 'info', SEED_DEMO: 'false', H5_DIR: '' }, requireH5: false });
});
afterAll(() => srv?.stop());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('query values of sig, q, token, code, phone (and names) are redacted in the request log; paths and other values stay', async () => {
  const login = await fetch(`${srv.baseUrl}/api/auth/dev`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ openid: 'log-check' }),
  });
  const { token } = await login.json();
  const auth = { authorization: `Bearer ${token}` };
  const child = '王小花';
  const urls = [
    `/api/media/123?exp=1999999999&sig=S3cr3tSigValueAbc&o=1`,
    `/api/hazards?q=${encodeURIComponent(child)}&page=2`,
    `/api/pledge-campaigns/1/roster?q=${encodeURIComponent(child)}&name=${encodeURIComponent('李四')}`,
    `/api/wechat/push?signature=abc123sig&timestamp=1&nonce=n0nceValue&echostr=echoValue`,
    `/api/me?token=TokenInQuery123&code=LoginCode456&phone=13912345678&guardianPhone=13800001111`,
  ];
  for (const u of urls) await fetch(`${srv.baseUrl}${u}`, { headers: auth });
  await sleep(500); // pino writes asynchronously
  const log = srv.output();
  const lines = log.split('\n').filter((l) => l.includes('"req"'));
  expect(lines.length).toBeGreaterThanOrEqual(urls.length);

  for (const secret of [
    'S3cr3tSigValueAbc',
    child,
    encodeURIComponent(child),
    '李四',
    encodeURIComponent('李四'),
    'abc123sig',
    'n0nceValue',
    'echoValue',
    'TokenInQuery123',
    'LoginCode456',
    '13912345678',
    '13800001111',
    token,
  ]) {
    expect([secret, log.includes(secret)]).toEqual([secret, false]);
  }
  // what the log is for is still there: the path, the harmless parameters, the fact a value was sent
  expect(log).toContain('/api/media/123?exp=1999999999&sig=[REDACTED]&o=1');
  expect(log).toContain('/api/hazards?q=[REDACTED]&page=2');
  expect(log).toContain('phone=[REDACTED]');
});

test('the health probe (every few seconds in a container) writes no request line; the request after it does', async () => {
  const before = srv.output().length;
  for (let i = 0; i < 3; i++) await fetch(`${srv.baseUrl}/api/health`);
  await fetch(`${srv.baseUrl}/api/health?probe=1`);
  await fetch(`${srv.baseUrl}/api/dashboard`);
  await sleep(500); // pino writes asynchronously
  const lines = srv
    .output()
    .slice(before)
    .split('\n')
    .filter((l) => l.includes('"req"'));
  expect(lines.filter((l) => l.includes('/api/health'))).toEqual([]);
  expect(lines.filter((l) => l.includes('/api/dashboard')).length).toBe(1);
});
