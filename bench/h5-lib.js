/**
 * What the h5 benches share (h5-lighthouse.js, h5-lcp-graph.js, h5-slow-phone.js): the Chromium they drive, the
 * demo sessions, the six pages the first-load floors name, and a returning user's storage as the app keeps it.
 */
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Chromium's flags for a Lighthouse run (the tab Lighthouse opens shares the launched profile). */
const LIGHTHOUSE_FLAGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

/** The median of the finite figures (a run where Lighthouse could not compute one gives NaN and is left out). */
const median = (xs) => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (!s.length) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function devLogin(base, openid) {
  const r = await fetch(`${base}/api/auth/dev`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ openid }),
  });
  if (!r.ok) throw new Error(`dev login ${openid}: ${r.status} ${await r.text()}`);
  const body = await r.json();
  return { token: body.token, user: body.user };
}

/**
 * The six pages of the first-load floors on the server at `base`, each with the session that opens it (null: none)
 * and whether it is a resident page (the 200 KB floor is theirs): pledge signing opens a campaign the resident can.
 */
async function h5Pages(base) {
  const resident = await devLogin(base, 'demo-resident');
  const town = await devLogin(base, 'demo-town');
  const r = await fetch(`${base}/api/pledge-campaigns?pageSize=20`, { headers: { authorization: `Bearer ${resident.token}` } });
  const items = (await r.json()).items || [];
  const open = items.find((c) => c.status === 'open') || items[0];
  if (!open) throw new Error('no pledge campaign in the demo town');
  return [
    { name: 'login', path: '/#/pages/login/index', session: null, resident: true },
    { name: 'home', path: '/#/pages/index/index', session: resident, resident: true },
    { name: 'report', path: '/#/pages/report/index', session: resident, resident: true },
    { name: 'feed', path: '/#/pages/feed/index', session: resident, resident: true },
    { name: 'pledgeSign', path: `/#/pages/pledge-sign/index?c=${open.id}`, session: resident, resident: true },
    { name: 'ledger', path: '/#/officer/ledger/index', session: town, resident: false },
  ];
}

/**
 * In the page: a returning user's token and profile where the app keeps them (Taro's h5 storage: {"data": value}).
 * `once`: only on the tab's first document (an init script runs again on every reload). Self-contained: Playwright
 * sends its source to the page.
 */
function storeSession({ session, once = false }) {
  if (once) {
    if (sessionStorage.getItem('xa_seeded')) return;
    sessionStorage.setItem('xa_seeded', '1');
  }
  localStorage.clear();
  if (session) localStorage.setItem('xa_token', JSON.stringify({ data: session.token }));
  if (session) localStorage.setItem('xa_me', JSON.stringify({ data: session.user }));
}

/** Before a Lighthouse run in the shared profile `ctx`: the session stored on `base`'s origin, the HTTP cache emptied. */
async function returningUser(ctx, base, session) {
  const setup = await ctx.newPage();
  await setup.goto(`${base}/robots-none.txt`).catch(() => {});
  await setup.evaluate(storeSession, { session });
  const cdp = await ctx.newCDPSession(setup);
  await cdp.send('Network.clearBrowserCache');
  await setup.close();
}

module.exports = { CHROMIUM, LIGHTHOUSE_FLAGS, median, devLogin, h5Pages, storeSession, returningUser };
