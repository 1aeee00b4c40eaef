/**
 * The proof suites' world, built through the API on a freshly seeded server: sessions for the demo accounts,
 * the units by name, and records that belong to 河口村 (village B) and to 石桥镇 (the town) — a hazard with a
 * photo, a pledge campaign with a signature, a published message, an inspection record.
 * Outsiders (柳林村's officers, 白沙镇's officer, another resident) must never get these with a 2xx.
 * Anything a feature has not shipped yet stays undefined and the suites skip what needs it.
 */
import { Api, DEMO, ROLE_ACCOUNTS, Session } from './api';
import { SERVER_DIR } from './server';

export interface World {
  api: Api;
  s: Record<string, Session>;
  /** Unit ids by name (石桥镇, 柳林村, 河口村, 白沙镇, 石桥镇中心小学 …). */
  org: Record<string, number>;
  /** Records in village B (河口村) or the town, by fixture name; undefined when the feature is not there. */
  fx: Record<string, number | undefined>;
  /** One 2xx body per fixture (for shape checks). */
  bodies: Record<string, any>;
}

export const sharp = require(require.resolve('sharp', { paths: [SERVER_DIR] }));

/** A hand-signature-like PNG (strokes on a transparent 600×240 canvas); `variant` moves the strokes. */
export async function signaturePng(variant = 1): Promise<Buffer> {
  const r = (i: number) => (((Math.sin(variant * 12.9898 + i * 78.233) * 43758.5453) % 1) + 1) % 1;
  let x = 40;
  const d: string[] = [];
  for (let i = 0; i < 14; i++) {
    x += 25 + r(i) * 15;
    const y = 120 + (r(i + 50) - 0.5) * 150;
    d.push(
      i === 0 ? `M ${x.toFixed(1)} ${y.toFixed(1)}` : `Q ${x.toFixed(1)} ${y.toFixed(1)} ${(x + 12).toFixed(1)} ${(y + (r(i + 9) - 0.5) * 60).toFixed(1)}`,
    );
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="600" height="240"><path d="${d.join(' ')}" fill="none" stroke="#111" stroke-width="5" stroke-linecap="round"/></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

export async function signatureDataUrl(variant = 1): Promise<string> {
  return `data:image/png;base64,${(await signaturePng(variant)).toString('base64')}`;
}

/** A small real JPEG made by sharp (resolved from the server package). */
export async function jpeg(width = 64, height = 48): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 80, b: 40 } } })
    .jpeg()
    .toBuffer();
}

function flattenOrgs(nodes: any[], out: Record<string, number>) {
  for (const n of nodes ?? []) {
    if (n?.name && n?.id && out[n.name] === undefined) out[n.name] = n.id;
    if (n?.children) flattenOrgs(n.children, out);
  }
}

export const studentFields = (name: string, cls = '三年级一班', phone = '13900000001') => ({
  studentName: name,
  className: cls,
  guardianName: '张德明',
  relation: '父亲',
  phone,
});

export async function buildWorld(baseUrl: string): Promise<World> {
  const api = new Api(baseUrl, 30_000);
  const s: Record<string, Session> = {};
  for (const openid of new Set([...Object.values(DEMO), ...Object.values(ROLE_ACCOUNTS)])) s[openid] = await api.login(openid);
  const org: Record<string, number> = {};
  const orgs = await api.call('GET', '/api/orgs', { token: s[DEMO.admin].token });
  flattenOrgs(Array.isArray(orgs.body) ? orgs.body : (orgs.body?.items ?? [orgs.body]), org);
  const fx: World['fx'] = {};
  const bodies: World['bodies'] = {};
  const keep = (name: string, r: { status: number; body: any }, ok = [200, 201]) => {
    if (ok.includes(r.status) && r.body?.id) {
      fx[name] = r.body.id;
      bodies[name] = r.body;
    } else if (r.status !== 404) {
      // 404: the route is not there (yet); anything else is worth seeing
      console.warn(`fixture ${name}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
    }
  };
  const hekou = org['河口村'];
  const town = org['石桥镇'];
  const parent = s[DEMO.parent].token;
  const villageB = s[DEMO.villageHekou].token;
  const townTok = s[DEMO.town].token;

  // a photo and a hazard reported by 张德明 in 河口村
  const fd = new FormData();
  fd.append('file', new Blob([await jpeg()], { type: 'image/jpeg' }), 'photo.jpg');
  keep('mediaB', await api.call('POST', '/api/media', { token: parent, raw: fd }));
  keep(
    'hazardB',
    await api.call('POST', '/api/hazards', {
      token: parent,
      headers: { 'Idempotency-Key': `world-hazard-${Date.now()}` },
      body: {
        category: 'fire',
        description: '河口村渡口旁电线私拉乱接，夜里有火花',
        orgId: hekou,
        lat: 29.562,
        lng: 106.512,
        photoIds: fx.mediaB ? [fx.mediaB] : [],
      },
    }),
  );
  // a hazard 河口村's officer has assigned (in progress), for the action endpoints
  if (fx.hazardB) {
    const h2 = await api.call('POST', '/api/hazards', {
      token: parent,
      headers: { 'Idempotency-Key': `world-hazard2-${Date.now()}` },
      body: { category: 'road_traffic', description: '河口村桥头护栏缺失', orgId: hekou, lat: 29.5621, lng: 106.5121 },
    });
    keep('hazardB2', h2);
    if (fx.hazardB2) {
      const deadline = new Date(Date.now() + 7 * 864e5).toISOString().slice(0, 10);
      await api.call('POST', `/api/hazards/${fx.hazardB2}/assign`, {
        token: villageB,
        body: { responsibleOrgId: hekou, deadline, level: 'general', note: '村委会负责' },
      });
    }
  }

  // a pledge campaign of 河口村 and 张德明's signature
  const tpls = await api.call('GET', '/api/pledge-templates', { token: townTok });
  if (tpls.status === 200 && Array.isArray(tpls.body)) {
    const drowning = tpls.body.find((x: any) => x.kind === 'drowning') ?? tpls.body[0];
    fx.templateB = drowning?.id;
    const versionId = drowning?.latest?.id;
    const deadline = new Date(Date.now() + 30 * 864e5).toISOString();
    keep('campaignB', await api.call('POST', '/api/pledge-campaigns', { token: villageB, body: { templateVersionId: versionId, orgId: hekou, deadline } }));
    if (fx.campaignB) {
      const sig = await signatureDataUrl(1);
      const sig2 = await signatureDataUrl(2);
      const signers: string[] = drowning?.latest?.signers?.map((x: any) => x.role) ?? ['guardian', 'student'];
      keep(
        'signatureB',
        await api.call('POST', `/api/pledge-campaigns/${fx.campaignB}/signatures`, {
          token: parent,
          headers: { 'Idempotency-Key': `world-sig-${Date.now()}` },
          body: { fields: studentFields('张小河'), signatures: signers.map((role, i) => ({ role, image: i ? sig2 : sig })) },
        }),
      );
    }
  }

  // a message of 河口村's officer to 河口村, published; and a town message to the whole town
  const para = (text: string) => ({ type: 'p', text });
  keep(
    'messageB',
    await api.call('POST', '/api/messages', {
      token: villageB,
      body: { title: '河口村防溺水提醒', category: 'drowning', body: [para('暑期请看护好孩子。')], audience: { orgIds: [hekou] }, ackRequired: true },
    }),
  );
  if (fx.messageB) await api.call('POST', `/api/messages/${fx.messageB}/publish`, { token: villageB, body: {} });
  keep(
    'messageTown',
    await api.call('POST', '/api/messages', {
      token: townTok,
      body: { title: '石桥镇安全生产月', category: 'safety_month', body: [para('六月是安全生产月。')], audience: { orgIds: [town] } },
    }),
  );
  if (fx.messageTown) await api.call('POST', `/api/messages/${fx.messageTown}/publish`, { token: townTok, body: {} });

  // an inspection record of 河口村
  keep(
    'inspectionB',
    await api.call('POST', '/api/inspections', { token: villageB, body: { kind: 'routine', sector: 'fire', orgId: hekou, metrics: { inspectors: 2 } } }),
  );

  // a risk site and an incident of 河口村 (registers)
  keep(
    'riskSiteB',
    await api.call('POST', '/api/risk-sites', {
      token: villageB,
      body: { kind: 'pond', name: '河口村山塘', orgId: hekou, responsibleName: '周国平', responsiblePhone: '13908231010' },
    }),
  );
  keep(
    'incidentB',
    await api.call('POST', '/api/incidents', {
      token: villageB,
      body: { kind: 'fire', date: new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10), title: '河口村柴火堆起火', orgId: hekou },
    }),
  );

  // a notification of 张德明 (the assign above may have made one)
  const notes = await api.call('GET', '/api/notifications', { token: parent });
  const first = notes.body?.items?.[0];
  if (first?.id) fx.notificationB = first.id;

  // the user 张德明 and unit 河口村 themselves
  fx.userB = s[DEMO.parent].user.id;
  fx.orgB = hekou;
  return { api, s, org, fx, bodies };
}
