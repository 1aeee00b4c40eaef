/**
 * The mixed load's people and requests, shared by bench/mixed.bench.js (which sends them at stepped rates) and
 * bench/route-costs.js (which measures each route on its own), so both drive exactly the same requests.
 *
 * `call(base, method, path, token, body, headers)` sends one request and resolves { status, body, … }.
 */
const path = require('node:path');

const SERVER_DIR = path.join(__dirname, '..', 'server');
const sharp = require(require.resolve('sharp', { paths: [SERVER_DIR] }));

/** A stroke PNG of 600 × 240 as a data URL, different for each `variant`. */
async function signature(variant) {
  let d = `M 40 ${100 + (variant % 40)}`;
  for (let i = 0; i < 12; i++) d += ` Q ${60 + i * 40} ${60 + ((i * 37 + variant) % 90)} ${80 + i * 40} ${120 + ((i * 53 + variant) % 70)}`;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="600" height="240"><path d="${d}" fill="none" stroke="#111" stroke-width="5" stroke-linecap="round"/></svg>`;
  return `data:image/png;base64,${(await sharp(Buffer.from(svg)).png().toBuffer()).toString('base64')}`;
}

/**
 * On a server with the demo seed: 60 residents over four villages (`<tag>-res-<i>`), four officers, a 防溺水 campaign
 * of 河口村, two signature images and one hazard whose detail is read.
 */
async function mixedPeople(call, base, tag) {
  const login = async (openid, role, orgId) => (await call(base, 'POST', '/api/auth/dev', null, { openid, ...(role ? { role, orgId } : {}) })).body;
  const town = await login('demo-town');
  const village = await login('demo-village-hekou');
  const orgs = (await call(base, 'GET', '/api/orgs', town.token)).body;
  const flat = {};
  const walk = (ns) =>
    (ns || []).forEach((n) => {
      flat[n.name] ??= n.id;
      walk(n.children);
    });
  walk(Array.isArray(orgs) ? orgs : [orgs]);
  const villages = ['河口村', '柳林村', '石桥村', '王家坝村'].map((n) => flat[n]);
  const residents = [];
  for (let i = 0; i < 60; i++) residents.push(await login(`${tag}-res-${i}`, 'resident', villages[i % villages.length]));
  const officers = [town, village, await login('demo-village'), await login('demo-grid')];
  const tpls = (await call(base, 'GET', '/api/pledge-templates', town.token)).body;
  const version = tpls.find((x) => x.kind === 'drowning').latest;
  const camp = (
    await call(base, 'POST', '/api/pledge-campaigns', village.token, {
      templateVersionId: version.id,
      orgId: flat['河口村'],
      deadline: new Date(Date.now() + 30 * 864e5).toISOString(),
    })
  ).body;
  const sigs = [await signature(1), await signature(2)];
  const someHazard = (
    await call(
      base,
      'POST',
      '/api/hazards',
      residents[0].token,
      { category: 'fire', description: '混合负载的第一条隐患', orgId: villages[0] },
      { 'Idempotency-Key': `${tag}-first-${Date.now()}` },
    )
  ).body;
  return { town, village, villages, residents, officers, camp, sigs, someHazard };
}

/**
 * The mix: [weight, name, send] — 25 % reports, 15 % signatures, 30 % ledger pages (half of them 待审核 only), 10 % a
 * hazard's detail, 20 % the feed (two residents' to one officer's). `at()` names the server to send to, `counter()`
 * the request's number (which resident, officer, category, page filter).
 */
function mixedOps(p, call, at, counter, tag) {
  const { town, residents, officers, camp, sigs, someHazard } = p;
  /** A resident's write, chosen by the request's number: `make(n, r)` → [path, body]; a key of its own. */
  const residentWrite = (kind, make) => () => {
    const n = counter();
    const r = residents[n % residents.length];
    const [url, body] = make(n, r);
    return call(at(), 'POST', url, r.token, body, { 'Idempotency-Key': `${tag}-${kind}-${n}-${Date.now()}` });
  };
  return [
    [
      25,
      'report hazard',
      residentWrite('hz', (n, r) => [
        '/api/hazards',
        {
          category: ['fire', 'road_traffic', 'construction'][n % 3],
          description: `混合负载隐患 ${n}`,
          orgId: r.user.orgId,
          lat: 29.56 + (n % 100) / 10000,
          lng: 106.5,
        },
      ]),
    ],
    [
      15,
      'sign pledge',
      residentWrite('sg', (n) => [
        `/api/pledge-campaigns/${camp.id}/signatures`,
        {
          fields: {
            studentName: `学生${n}`,
            className: `${(n % 6) + 1}年级一班`,
            guardianName: '家长',
            relation: '母亲',
            phone: `136${String(n).padStart(8, '0')}`,
          },
          signatures: [
            { role: 'guardian', image: sigs[0] },
            { role: 'student', image: sigs[1] },
          ],
        },
      ]),
    ],
    [
      30,
      'ledger page',
      () => {
        const n = counter();
        return call(at(), 'GET', `/api/hazards?page=1&pageSize=20${n % 2 ? '&status=reported' : ''}`, officers[n % officers.length].token);
      },
    ],
    [10, 'hazard detail', () => call(at(), 'GET', `/api/hazards/${someHazard.id}`, town.token)],
    [
      20,
      'feed',
      () => {
        const n = counter();
        return call(at(), 'GET', '/api/feed?page=1&pageSize=20', (n % 3 ? residents[n % residents.length] : officers[n % officers.length]).token);
      },
    ],
  ];
}

module.exports = { mixedOps, mixedPeople, signature };
