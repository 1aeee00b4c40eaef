/** What the hazards specs share: one app per file, a resident's report, an officer's action and a valid body for each. */
import type { TestApp } from '../../../testing/test-app';
import { useTestApp } from '../../../testing/use-test-app';

export const tomorrow = () => new Date(Date.now() + 86400_000 * 3).toISOString().slice(0, 10);

export const bodies: Record<string, Record<string, unknown>> = {
  assign: { responsibleOrgId: 0, deadline: '' },
  start: {},
  rectify: { note: '已重新布线并安装漏电保护器' },
  verify: { passed: true, note: '现场验收合格' },
  reject: { reason: '重复上报' },
  escalate: { department: '青山县住房和城乡建设局', note: '危房需县级鉴定' },
  answer: { note: '县住建局已安排鉴定并拆除' },
  reopen: { note: '没修好，电线又垂下来了' },
  comment: { note: '请尽快处理' },
};

export interface HazardsFixture {
  t: TestApp;
  /** The demo units the specs act on, by id: 柳林村, 河口村, 柳林村第一网格, 市场监管所. */
  unit: { liulin: number; hekou: number; grid1: number; deptMarket: number };
  report(who?: string, body?: Record<string, unknown>, key?: string): Promise<{ id: number; code: string; status: string }>;
  act(who: string, id: number, action: string, body?: Record<string, unknown>): Promise<any>;
  /** A body the action accepts (assign: to 柳林村, due in three days). */
  bodyFor(action: string): Record<string, unknown>;
}

export function useHazards(): HazardsFixture {
  const t = useTestApp();
  const unit = {
    get liulin() {
      return t.seed.org.v_liulin.id;
    },
    get hekou() {
      return t.seed.org.v_hekou.id;
    },
    get grid1() {
      return t.seed.org.g_liulin_1.id;
    },
    get deptMarket() {
      return t.seed.org.d_market_reg.id;
    },
  };
  const report = async (who = 'resident', body: Record<string, unknown> = {}, key?: string) => {
    const req = t.http.post('/api/hazards').set(await t.as(who));
    if (key) req.set('Idempotency-Key', key);
    const res = await req.send({ category: 'fire', description: '村委会旁老房子电线私拉乱接，存在火灾隐患', lat: 29.583, lng: 106.487, ...body });
    if (res.status !== 201) throw new Error(`report failed ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { id: number; code: string; status: string };
  };
  const act = async (who: string, id: number, action: string, body: Record<string, unknown> = {}) =>
    t.http
      .post(`/api/hazards/${id}/${action}`)
      .set(await t.as(who))
      .send(body);
  const bodyFor = (a: string) => (a === 'assign' ? { responsibleOrgId: unit.liulin, deadline: tomorrow() } : bodies[a]);
  return { t, unit, report, act, bodyFor };
}
