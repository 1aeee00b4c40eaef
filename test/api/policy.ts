/**
 * WHO MAY CALL WHAT — the declared authorisation policy of the API. authz-matrix.spec.ts reads the OpenAPI
 * document of the running server and fails for any operation missing here, then checks the server against
 * this table: every role, anonymous, and outsiders on records of another village / town.
 *
 * A new endpoint must be declared here with its roles and scope (that is the point: a person decides who may
 * call it, the test holds the server to that decision).
 *
 *   roles      roles that pass the role check ('public' = no token needed)
 *   scope      'public'  anyone, no record behind it
 *              'none'    any allowed role, nothing scoped (own session, calendars, templates)
 *              'own'     the caller's own records only (a signature, a notification)
 *              'org'     records of the caller's unit subtree only
 *              'signed'  public route that still needs a token or a signed URL (media bytes)
 *   fixture    which record of village B (河口村) / the town the {id} refers to in the scope sweep (support/fixtures.ts)
 *   outsiders  demo accounts that must NOT get a 2xx on that record (default by scope, see OUTSIDERS)
 *   insiders   demo accounts that DO get a 2xx on a GET of that record (proves the fixture is real, so the
 *              outsiders' refusal is not vacuous)
 *   listLeak   a list endpoint whose items must not include the fixture for outsiders
 */
import type { Role } from '@xiangan/shared';

export const ALL: Role[] = ['resident', 'grid_officer', 'village_officer', 'town_officer', 'department_officer', 'county_officer', 'admin'];
export const OFFICERS: Role[] = ALL.filter((r) => r !== 'resident');
export const MANAGING: Role[] = ['grid_officer', 'village_officer', 'town_officer', 'department_officer', 'admin'];
const ADMIN: Role[] = ['admin'];

export type Scope = 'public' | 'none' | 'own' | 'org' | 'signed';

export interface Policy {
  roles: Role[] | 'public';
  scope: Scope;
  fixture?: string;
  outsiders?: string[];
  insiders?: string[];
  listLeak?: string;
  /** 'signed' scope: a GET (with {id} = the fixture's parent record) whose answer carries signed URLs of this route. */
  signedFrom?: { path: string; as: string; fixture: string };
  /** Extra path params (besides {id}) for the sweeps. */
  params?: Record<string, string>;
  note?: string;
}

/** Demo accounts outside 河口村: 柳林村's village and grid officers, 白沙镇's town officer, 柳林村's resident. */
export const OUT_VILLAGE = ['demo-village', 'demo-grid', 'demo-town-baisha'];
export const OUT_RESIDENT = ['demo-resident'];
export const OUT_ALL = [...OUT_VILLAGE, ...OUT_RESIDENT];
export const OUT_TOWN = ['demo-town-baisha'];

const fieldType = (p: string): Record<string, Policy> => ({
  [`POST /api/${p}`]: { roles: MANAGING, scope: 'org', note: 'orgId in the body must be in scope (tested in server/stats.spec)' },
  [`GET /api/${p}`]: { roles: OFFICERS, scope: 'org', listLeak: p === 'inspections' ? 'inspectionB' : undefined },
  [`GET /api/${p}/{id}`]: {
    roles: OFFICERS,
    scope: 'org',
    fixture: p === 'inspections' ? 'inspectionB' : undefined,
    outsiders: OUT_VILLAGE,
    insiders: ['demo-village-hekou', 'demo-town'],
  },
  [`PATCH /api/${p}/{id}`]: { roles: MANAGING, scope: 'org', fixture: p === 'inspections' ? 'inspectionB' : undefined, outsiders: OUT_VILLAGE },
  [`PUT /api/${p}/{id}`]: {
    roles: MANAGING,
    scope: 'org',
    fixture: p === 'inspections' ? 'inspectionB' : undefined,
    outsiders: OUT_VILLAGE,
    note: 'PUT = PATCH (wx.request has no PATCH)',
  },
  [`GET /api/${p}/{id}/revisions`]: {
    roles: OFFICERS,
    scope: 'org',
    fixture: p === 'inspections' ? 'inspectionB' : undefined,
    outsiders: OUT_VILLAGE,
    insiders: ['demo-village-hekou'],
  },
});

export const POLICY: Record<string, Policy> = {
  // ---- platform
  'GET /api/health': { roles: 'public', scope: 'public' },
  'POST /api/auth/wechat': { roles: 'public', scope: 'public' },
  'POST /api/auth/dev': { roles: 'public', scope: 'public', note: 'local only; production refuses to start with it' },
  'GET /api/auth/dev/accounts': { roles: 'public', scope: 'public' },
  'GET /api/wechat/push': {
    roles: 'public',
    scope: 'signed',
    note: "WeChat's message-push URL verification: sha1 signature with WECHAT_PUSH_TOKEN (401 without it); 404 when the token is not configured",
  },
  'POST /api/wechat/push': {
    roles: 'public',
    scope: 'signed',
    note: 'WeChat message push (wxa_media_check verdicts): signature / msg_signature with WECHAT_PUSH_TOKEN; 404 when not configured',
  },
  'GET /api/me': { roles: ALL, scope: 'none' },
  'PATCH /api/me': { roles: ALL, scope: 'none' },

  // ---- units and users
  'GET /api/orgs': { roles: ALL, scope: 'none', note: 'the tree in scope; residents pick their village from it' },
  'GET /api/orgs/{id}': { roles: ALL, scope: 'org', fixture: 'orgB', outsiders: OUT_TOWN, insiders: ['demo-village-hekou', 'demo-town', 'demo-county'] },
  'GET /api/orgs/locate': { roles: ALL, scope: 'none', note: 'which unit (grid/village) holds a position, by the boundaries set; names only' },
  'GET /api/orgs/{id}/boundary': {
    roles: ALL,
    scope: 'org',
    fixture: 'orgB',
    outsiders: OUT_TOWN,
    insiders: ['demo-village-hekou', 'demo-town', 'demo-county'],
  },
  'PUT /api/orgs/{id}/boundary': {
    roles: ['admin', 'town_officer'],
    scope: 'org',
    fixture: 'orgB',
    outsiders: OUT_TOWN,
    note: 'a village/grid boundary (GeoJSON), by the town over it',
  },
  'DELETE /api/orgs/{id}/boundary': { roles: ['admin', 'town_officer'], scope: 'org', fixture: 'orgB', outsiders: OUT_TOWN },
  'PUT /api/orgs/{id}/hazard-settings': {
    roles: ['admin', 'town_officer'],
    scope: 'org',
    fixture: 'orgB',
    outsiders: OUT_TOWN,
    note: 'per town: overdue days before reminders climb (a village answers 400)',
  },
  'POST /api/orgs': { roles: ADMIN, scope: 'none' },
  'PATCH /api/orgs/{id}': { roles: ADMIN, scope: 'none' },
  'DELETE /api/orgs/{id}': { roles: ADMIN, scope: 'none' },
  'GET /api/users': { roles: OFFICERS, scope: 'org' },
  'POST /api/users': { roles: ADMIN, scope: 'none' },
  'PATCH /api/users/{id}': { roles: ADMIN, scope: 'none' },
  // ---- day one in a county: unit import, invitations, people (admins; a town officer within their town)
  'PUT /api/orgs/{id}': { roles: ADMIN, scope: 'none', note: 'same as PATCH (wx.request has no PATCH)' },
  'GET /api/unit-import/template': { roles: 'public', scope: 'public', note: 'the empty spreadsheet template, no data' },
  'POST /api/unit-import': { roles: ADMIN, scope: 'none', note: 'the whole unit tree: admins only (server/unit-import.spec)' },
  'POST /api/invitations': {
    roles: ['admin', 'town_officer'],
    scope: 'org',
    note: "orgId in the body within the creator's subtree, role never above the creator's (server/invitations.spec, api/day-one.spec)",
  },
  'GET /api/invitations': { roles: ['admin', 'town_officer'], scope: 'org' },
  'GET /api/invitations/code/{code}': {
    roles: 'public',
    scope: 'public',
    params: { code: 'no-such-invitation' },
    note: 'the code is the secret; answers role and unit name only',
  },
  'POST /api/invitations/accept': { roles: ALL, scope: 'own', note: "the caller takes the invitation's role and unit" },
  'GET /api/invitations/{id}': { roles: ['admin', 'town_officer'], scope: 'org', note: 'outside the subtree answers 404 (server/invitations.spec)' },
  'POST /api/invitations/{id}/revoke': { roles: ['admin', 'town_officer'], scope: 'org' },
  'GET /api/invitations/{id}/qrcode': { roles: ['admin', 'town_officer'], scope: 'org' },
  'GET /api/people': { roles: ['admin', 'town_officer'], scope: 'org', note: 'phones masked' },
  'PUT /api/people/{id}': {
    roles: ['admin', 'town_officer'],
    scope: 'org',
    note: "never above the actor's role or outside their subtree (server/invitations.spec)",
  },
  'POST /api/people/{id}/handover': { roles: ['admin', 'town_officer'], scope: 'org' },

  // ---- audit log (append-only; admins only)
  'GET /api/audit-logs': { roles: ADMIN, scope: 'org', note: 'entries about units in scope; ordinary officers never read who accessed what' },

  // ---- field work (four record types, one shape)
  ...fieldType('inspections'),
  ...fieldType('enforcements'),
  ...fieldType('drills'),
  ...fieldType('activities'),

  // ---- statistics
  'GET /api/stats/summary': { roles: OFFICERS, scope: 'org' },
  'GET /api/stats/dashboard': { roles: OFFICERS, scope: 'org' },
  'GET /api/stats/summary.docx': { roles: OFFICERS, scope: 'org' },
  'GET /api/stats/monthly-brief.docx': { roles: OFFICERS, scope: 'org' },

  // ---- registers: risk sites, patrols, incidents
  'POST /api/risk-sites': { roles: MANAGING, scope: 'org', note: 'orgId / enterpriseOrgId in the body must be in scope (server registers.spec)' },
  'GET /api/risk-sites': { roles: OFFICERS, scope: 'org', listLeak: 'riskSiteB' },
  'GET /api/risk-sites/{id}': { roles: OFFICERS, scope: 'org', fixture: 'riskSiteB', outsiders: OUT_VILLAGE, insiders: ['demo-village-hekou', 'demo-town'] },
  'PUT /api/risk-sites/{id}': { roles: MANAGING, scope: 'org', fixture: 'riskSiteB', outsiders: OUT_VILLAGE },
  'DELETE /api/risk-sites/{id}': { roles: MANAGING, scope: 'org', fixture: 'riskSiteB', outsiders: OUT_VILLAGE },
  'POST /api/risk-sites/{id}/patrols': { roles: MANAGING, scope: 'org', fixture: 'riskSiteB', outsiders: OUT_VILLAGE },
  'GET /api/site-patrols': { roles: OFFICERS, scope: 'org' },
  'POST /api/incidents': { roles: MANAGING, scope: 'org', note: 'orgId / siteId in the body must be in scope (server registers.spec)' },
  'GET /api/incidents': { roles: OFFICERS, scope: 'org', listLeak: 'incidentB' },
  'GET /api/incidents/{id}': { roles: OFFICERS, scope: 'org', fixture: 'incidentB', outsiders: OUT_VILLAGE, insiders: ['demo-village-hekou', 'demo-town'] },
  'PUT /api/incidents/{id}': { roles: MANAGING, scope: 'org', fixture: 'incidentB', outsiders: OUT_VILLAGE },
  'DELETE /api/incidents/{id}': { roles: MANAGING, scope: 'org', fixture: 'incidentB', outsiders: OUT_VILLAGE },

  // ---- media: bytes only with a signed URL or a token of someone who may see the hazard
  'POST /api/media': { roles: ALL, scope: 'own' },
  'GET /api/media/{id}': {
    roles: 'public',
    scope: 'signed',
    fixture: 'mediaB',
    outsiders: OUT_ALL,
    insiders: ['demo-parent', 'demo-village-hekou', 'demo-town'],
    signedFrom: { path: '/api/hazards/{id}', as: 'demo-parent', fixture: 'hazardB' },
  },
  'POST /api/media/{id}/review': {
    roles: MANAGING,
    scope: 'org',
    fixture: 'mediaB',
    outsiders: OUT_VILLAGE,
    note: '人工复核 of an image: officers who may see its record',
  },
  'GET /api/media/{id}/thumb': {
    roles: 'public',
    scope: 'signed',
    fixture: 'mediaB',
    outsiders: OUT_ALL,
    insiders: ['demo-parent', 'demo-village-hekou'],
    signedFrom: { path: '/api/hazards/{id}', as: 'demo-village-hekou', fixture: 'hazardB' },
  },

  // ---- notifications (in-app)
  'GET /api/notifications': { roles: ALL, scope: 'own' },
  'POST /api/notifications/read-all': { roles: ALL, scope: 'own' },
  'POST /api/notifications/{id}/read': { roles: ALL, scope: 'own', fixture: 'notificationB', outsiders: ['demo-resident', 'demo-village'] },

  // ---- hazards
  'POST /api/hazards': { roles: ALL, scope: 'own' },
  'GET /api/hazards': { roles: ALL, scope: 'org', listLeak: 'hazardB', note: 'residents see their own reports' },
  'GET /api/hazards/map': { roles: OFFICERS, scope: 'org', listLeak: 'hazardB' },
  'GET /api/hazards/export.xlsx': { roles: OFFICERS, scope: 'org' },
  'GET /api/hazards/{id}': {
    roles: ALL,
    scope: 'org',
    fixture: 'hazardB',
    outsiders: OUT_ALL,
    insiders: ['demo-parent', 'demo-village-hekou', 'demo-town', 'demo-county'],
  },
  'POST /api/hazards/{id}/assign': {
    roles: ['grid_officer', 'village_officer', 'town_officer', 'county_officer', 'admin'],
    scope: 'org',
    fixture: 'hazardB',
    outsiders: OUT_VILLAGE,
  },
  'POST /api/hazards/{id}/start': {
    roles: ['grid_officer', 'village_officer', 'town_officer', 'department_officer', 'admin'],
    scope: 'org',
    fixture: 'hazardB2',
    outsiders: OUT_VILLAGE,
  },
  'POST /api/hazards/{id}/rectify': {
    roles: ['grid_officer', 'village_officer', 'town_officer', 'department_officer', 'admin'],
    scope: 'org',
    fixture: 'hazardB2',
    outsiders: OUT_VILLAGE,
  },
  'POST /api/hazards/{id}/verify': {
    roles: ['grid_officer', 'village_officer', 'town_officer', 'admin'],
    scope: 'org',
    fixture: 'hazardB2',
    outsiders: OUT_VILLAGE,
  },
  'POST /api/hazards/{id}/reject': {
    roles: ['grid_officer', 'village_officer', 'town_officer', 'admin'],
    scope: 'org',
    fixture: 'hazardB',
    outsiders: OUT_VILLAGE,
  },
  'POST /api/hazards/{id}/escalate': {
    roles: ['village_officer', 'town_officer', 'admin'],
    scope: 'org',
    fixture: 'hazardB',
    outsiders: ['demo-village', 'demo-town-baisha'],
  },
  'POST /api/hazards/{id}/answer': { roles: ['county_officer', 'admin'], scope: 'org', note: 'the county answers an escalation' },
  'POST /api/hazards/{id}/reopen': {
    roles: ['resident', 'grid_officer', 'village_officer', 'town_officer', 'admin'],
    scope: 'org',
    fixture: 'hazardB',
    outsiders: OUT_ALL,
  },
  'POST /api/hazards/{id}/confirm': {
    roles: ALL,
    scope: 'own',
    fixture: 'hazardB',
    outsiders: OUT_ALL,
    note: '修好了吗: only the reporter answers (others in scope 403, outside 404)',
  },
  'POST /api/hazards/{id}/comment': { roles: ALL, scope: 'org', fixture: 'hazardB', outsiders: OUT_ALL },
  'GET /api/reports/monthly': { roles: OFFICERS, scope: 'org' },

  // ---- subscriptions
  'GET /api/subscriptions': { roles: ALL, scope: 'own' },
  'POST /api/subscriptions': { roles: ALL, scope: 'own' },

  // ---- publicity
  'POST /api/messages': { roles: MANAGING, scope: 'org' },
  'GET /api/messages': { roles: OFFICERS, scope: 'org', listLeak: 'messageB' },
  'GET /api/messages/{id}': { roles: OFFICERS, scope: 'org', fixture: 'messageB', outsiders: OUT_VILLAGE, insiders: ['demo-village-hekou', 'demo-town'] },
  'PATCH /api/messages/{id}': { roles: MANAGING, scope: 'org', fixture: 'messageB', outsiders: OUT_VILLAGE },
  'POST /api/messages/{id}/publish': { roles: MANAGING, scope: 'org', fixture: 'messageB', outsiders: OUT_VILLAGE },
  'POST /api/messages/{id}/withdraw': {
    roles: MANAGING,
    scope: 'org',
    fixture: 'messageTown',
    outsiders: ['demo-village', 'demo-grid', 'demo-town-baisha'],
    note: "a village officer cannot withdraw the town's message",
  },
  'GET /api/messages/{id}/preview': { roles: OFFICERS, scope: 'org', fixture: 'messageB', outsiders: OUT_VILLAGE, insiders: ['demo-village-hekou'] },
  'GET /api/messages/{id}/stats': { roles: OFFICERS, scope: 'org', fixture: 'messageB', outsiders: OUT_VILLAGE, insiders: ['demo-village-hekou', 'demo-town'] },
  'POST /api/messages/{id}/remind-units': { roles: MANAGING, scope: 'org', fixture: 'messageB', outsiders: OUT_VILLAGE },
  'POST /api/messages/{id}/read': {
    roles: ALL,
    scope: 'org',
    fixture: 'messageB',
    outsiders: ['demo-resident', 'demo-village', 'demo-town-baisha'],
    note: 'only the audience reads / acknowledges',
  },
  'POST /api/messages/{id}/ack': { roles: ALL, scope: 'org', fixture: 'messageB', outsiders: ['demo-resident', 'demo-village', 'demo-town-baisha'] },
  'GET /api/feed': { roles: ALL, scope: 'org', listLeak: 'messageB' },
  'GET /api/feed/unread-count': { roles: ALL, scope: 'own' },
  'GET /api/feed/{id}': {
    roles: ALL,
    scope: 'org',
    fixture: 'messageB',
    outsiders: ['demo-resident', 'demo-village', 'demo-town-baisha'],
    insiders: ['demo-parent'],
  },
  'GET /api/publicity/calendar': { roles: OFFICERS, scope: 'none' },

  // ---- pledges
  'GET /api/pledge-templates': {
    roles: OFFICERS,
    scope: 'none',
    note: "shipped texts for all; a unit's own texts only in its subtree (server/pledges-security.spec)",
  },
  'POST /api/pledge-templates': {
    roles: ['town_officer', 'department_officer', 'admin'],
    scope: 'none',
    note: "owned by the caller's unit or an orgId in scope",
  },
  'GET /api/pledge-templates/{id}': { roles: OFFICERS, scope: 'none', note: "a unit's own template: 404 outside its subtree and scope" },
  'PUT /api/pledge-templates/{id}': {
    roles: ['town_officer', 'department_officer', 'admin'],
    scope: 'none',
    note: "shipped texts: admins only (403); a unit's own: editors whose scope covers it",
  },
  'POST /api/pledge-templates/{id}/versions': { roles: ['town_officer', 'department_officer', 'admin'], scope: 'none', note: 'as PUT' },
  'POST /api/pledge-campaigns': { roles: ['village_officer', 'town_officer', 'department_officer', 'admin'], scope: 'org' },
  'GET /api/pledge-campaigns': { roles: ALL, scope: 'org', note: 'residents: campaigns open to them' },
  'GET /api/pledge-campaigns/{id}': {
    roles: ALL,
    scope: 'org',
    fixture: 'campaignB',
    outsiders: OUT_VILLAGE,
    insiders: ['demo-village-hekou', 'demo-town', 'demo-parent'],
    note: 'a parent opens it from the class group QR: residents may read the campaign card',
  },
  'POST /api/pledge-campaigns/{id}/close': {
    roles: ['village_officer', 'town_officer', 'department_officer', 'admin'],
    scope: 'org',
    fixture: 'campaignB',
    outsiders: ['demo-village', 'demo-town-baisha'],
  },
  'POST /api/pledge-campaigns/{id}/roster': {
    roles: ['village_officer', 'town_officer', 'department_officer', 'admin'],
    scope: 'org',
    fixture: 'campaignB',
    outsiders: ['demo-village', 'demo-town-baisha'],
  },
  'GET /api/pledge-campaigns/{id}/roster': {
    roles: ALL,
    scope: 'none',
    note: "the signing page's name picker: open campaigns only, exact name, id + masked guardian (+ class only for namesakes), LIMITS.rosterLookupsPerMinute per user",
  },
  'GET /api/pledge-campaigns/{id}/unsigned': { roles: OFFICERS, scope: 'org', fixture: 'campaignB', outsiders: OUT_VILLAGE, insiders: ['demo-village-hekou'] },
  'POST /api/pledge-campaigns/{id}/remind': {
    roles: ['village_officer', 'town_officer', 'department_officer', 'admin'],
    scope: 'org',
    fixture: 'campaignB',
    outsiders: ['demo-village', 'demo-town-baisha'],
  },
  'GET /api/pledge-campaigns/{id}/qrcode': { roles: OFFICERS, scope: 'org', fixture: 'campaignB', outsiders: OUT_VILLAGE },
  'POST /api/pledge-campaigns/{id}/signatures': {
    roles: ALL,
    scope: 'org',
    note: "anyone with the QR signs, but a roster entry only with its guardian's phone (WeChat-verified or typed on h5); duplicates and deadlines are the other checks",
  },
  'GET /api/pledge-campaigns/{id}/signatures': {
    roles: OFFICERS,
    scope: 'org',
    fixture: 'campaignB',
    outsiders: OUT_VILLAGE,
    insiders: ['demo-village-hekou', 'demo-town'],
  },
  'GET /api/pledge-campaigns/{id}/signatures.pdf': { roles: OFFICERS, scope: 'org', fixture: 'campaignB', outsiders: OUT_VILLAGE },
  'GET /api/pledge-campaigns/{id}/signatures.xlsx': { roles: OFFICERS, scope: 'org', fixture: 'campaignB', outsiders: OUT_VILLAGE },
  'GET /api/pledge-campaigns/{id}/verify': { roles: OFFICERS, scope: 'org', fixture: 'campaignB', outsiders: OUT_VILLAGE, insiders: ['demo-village-hekou'] },
  'GET /api/my/pledges': { roles: ALL, scope: 'own', listLeak: 'signatureB' },
  'GET /api/pledge-signatures/mine': { roles: ALL, scope: 'own', listLeak: 'signatureB' },
  'POST /api/pledge-signatures/{id}/void': {
    roles: ['village_officer', 'town_officer', 'department_officer', 'admin'],
    scope: 'org',
    fixture: 'signatureB',
    outsiders: ['demo-village', 'demo-town-baisha'],
    note: 'officers in scope of the campaign; a void link on the chain, audited',
  },
  'GET /api/pledge-signatures/{id}': { roles: ALL, scope: 'own', fixture: 'signatureB', outsiders: OUT_ALL, insiders: ['demo-parent', 'demo-village-hekou'] },
  'GET /api/pledge-signatures/{id}/images/{role}': {
    roles: 'public',
    scope: 'signed',
    fixture: 'signatureB',
    params: { role: 'guardian' },
    outsiders: OUT_ALL,
    signedFrom: { path: '/api/pledge-signatures/{id}', as: 'demo-parent', fixture: 'signatureB' },
    note: 'bytes only through the signed URL in an answer the caller was allowed',
  },
};

/**
 * IDS INSIDE REQUEST BODIES — every integer `…Id` / `…Ids` field of a request body in the OpenAPI document
 * (nested ones too: `body[].mediaId`, `audience.orgIds`, `units[].orgId`), keyed `<operation> <field path>`.
 * The body sweep (authz-matrix.spec.ts) calls each operation as 白沙镇's town officer on a record of their own,
 * with an otherwise-valid body whose field names a record of 河口村 / another user's upload, and requires a
 * refusal (400 naming the field, 403 or 404) and no stored change; the same body without the foreign id must
 * then succeed, so the refusal is the id's. A new id field fails by name until it is declared here.
 *
 *   'media'   张德明's hazard photo of 河口村 (another user's upload, not a publicity image)
 *   'hazard'  张德明's hazard in 河口村
 *   'org'     河口村 (a unit outside 白沙镇)
 *   'user'    河口村's village officer
 *   'site'    河口村's risk site (山塘)
 *   { skip }  not swept, with the reason (tested elsewhere or not a scoped reference)
 */
export type BodyRefKind = 'media' | 'hazard' | 'org' | 'user' | 'site' | { skip: string };

const fieldRefs = (p: string, findings: boolean): Record<string, BodyRefKind> => ({
  [`POST /api/${p} orgId`]: 'org',
  [`POST /api/${p} units[].orgId`]: 'org',
  [`POST /api/${p} hazardIds`]: 'hazard',
  [`POST /api/${p} findings[].orgId`]: findings ? 'org' : { skip: 'findings are taken only on inspections and enforcement cases (400 whatever the unit)' },
  [`PATCH /api/${p}/{id} orgId`]: 'org',
  [`PATCH /api/${p}/{id} units[].orgId`]: 'org',
  [`PATCH /api/${p}/{id} hazardIds`]: 'hazard',
});

export const BODY_REFS: Record<string, BodyRefKind> = {
  'POST /api/hazards orgId': 'org',
  'POST /api/hazards photoIds': 'media',
  'POST /api/hazards/{id}/assign responsibleOrgId': 'org',
  'POST /api/hazards/{id}/assign responsibleUserId': 'user',
  'POST /api/hazards/{id}/start photoIds': 'media',
  'POST /api/hazards/{id}/rectify photoIds': 'media',
  'POST /api/hazards/{id}/verify photoIds': 'media',
  'POST /api/hazards/{id}/reopen photoIds': 'media',
  'POST /api/hazards/{id}/comment photoIds': 'media',
  'POST /api/hazards/{id}/reject duplicateOfId': 'hazard',
  'POST /api/hazards/{id}/confirm photoIds': 'media',
  'POST /api/risk-sites orgId': 'org',
  'POST /api/risk-sites enterpriseOrgId': 'org',
  'PUT /api/risk-sites/{id} orgId': 'org',
  'PUT /api/risk-sites/{id} enterpriseOrgId': 'org',
  'POST /api/risk-sites/{id}/patrols hazardIds': 'hazard',
  'POST /api/incidents orgId': 'org',
  'POST /api/incidents siteId': 'site',
  'PUT /api/incidents/{id} orgId': 'org',
  'PUT /api/incidents/{id} siteId': 'site',
  'POST /api/pledge-templates orgId': 'org',
  'POST /api/invitations orgId': 'org',
  'PUT /api/people/{id} orgId': 'org',
  'POST /api/people/{id}/handover toUserId': 'user',
  'POST /api/messages body[].mediaId': 'media',
  'POST /api/messages audience.orgIds': 'org',
  'PATCH /api/messages/{id} body[].mediaId': 'media',
  'PATCH /api/messages/{id} audience.orgIds': 'org',
  'POST /api/messages/{id}/remind-units orgIds': 'org',
  ...fieldRefs('inspections', true),
  ...fieldRefs('enforcements', true),
  ...fieldRefs('drills', false),
  ...fieldRefs('activities', false),
  'PATCH /api/me orgId': 'org',
  'POST /api/pledge-campaigns orgId': 'org',
  'POST /api/pledge-campaigns templateVersionId': {
    skip: "built-in versions are every town's; a town's own versions are scoped by issue 13 finding 4 (pledge templates belong to a unit)",
  },
  'POST /api/pledge-campaigns/{id}/signatures rosterId': {
    skip: "an entry is looked up inside the URL's campaign only (pledges.spec: another campaign's entry → 400); who may sign is issue 13 finding 2",
  },
  'POST /api/auth/dev orgId': { skip: 'local dev login; a resident picks any village from the public unit tree' },
  'POST /api/orgs parentId': { skip: 'admin only: the whole county is in scope' },
  'POST /api/users orgId': { skip: 'admin only: the whole county is in scope' },
  'PATCH /api/users/{id} orgId': { skip: 'admin only: the whole county is in scope' },
};
/** Every PATCH route also answers PUT with the same handler (wx.request has no PATCH): the same policy holds for both. */
const putTwin = (key: string): string | null => (key.startsWith('PATCH ') ? `PUT ${key.slice(6)}` : null);
for (const k of Object.keys(POLICY)) {
  const twin = putTwin(k);
  if (twin) POLICY[twin] = { ...POLICY[k], note: 'the same handler as PATCH (the mini-program sends PUT)' };
}
