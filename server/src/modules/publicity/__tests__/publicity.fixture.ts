/** What the publicity specs share: one app per file beside a fake WeChat server, a town officer's draft, publishing, a feed. */
import { FakeWechat } from '../../../testing/fake-wechat';
import type { TestApp } from '../../../testing/test-app';
import { useTestApp } from '../../../testing/use-test-app';
import { JOB_QUEUE, JobQueue } from '../../jobs/job-queue';

export const TPL = 'tpl-publicity-0001';
export const para = (text: string, bold = false) => ({ type: 'p', text, ...(bold ? { bold } : {}) });

export interface PublicityFixture {
  t: TestApp;
  wx: FakeWechat;
  /** The town officer's auth headers (made once per file). */
  f: { town: Record<string, string> };
  draft(audience: { orgIds: number[]; roles?: string[] }, extra?: Record<string, unknown>, who?: Record<string, string>): Promise<any>;
  publish(id: number, who?: Record<string, string>): Promise<any>;
  feedIds(key: string): Promise<number[]>;
  /** Until the job queue has run everything it holds. */
  idle(): Promise<void>;
  /** From now until `mockRestore()`, the job queue refuses jobs named `job` (Redis away); every other job queues. */
  refuseJobs(job: string): jest.SpyInstance;
}

export function usePublicity(): PublicityFixture {
  const wx = new FakeWechat();
  const t = useTestApp(
    {},
    {
      before: async () => ({ env: { ...(await wx.start()).env(), WECHAT_TPL_PUBLICITY: TPL } }),
      after: () => wx.stop(),
    },
  );
  const f = { town: {} as Record<string, string> };
  beforeAll(async () => {
    f.town = await t.as('town');
  });
  async function draft(audience: { orgIds: number[]; roles?: string[] }, extra: Record<string, unknown> = {}, who = f.town) {
    const res = await t.http
      .post('/api/messages')
      .set(who)
      .send({
        title: extra.title ?? '防溺水安全提醒',
        category: 'drowning',
        body: [para('暑期请看护好孩子。'), para('不私自下水游泳。', true)],
        audience,
        ...extra,
      });
    expect(res.status).toBe(201);
    return res.body;
  }
  async function publish(id: number, who = f.town) {
    const res = await t.http.post(`/api/messages/${id}/publish`).set(who).send({});
    expect(res.status).toBe(200);
    return res.body;
  }
  const feedIds = async (key: string) => ((await t.http.get('/api/feed').set(await t.as(key))).body.items as { id: number }[]).map((i) => i.id);
  const idle = async () => {
    await t.app.get<JobQueue>(JOB_QUEUE).idle(20_000);
  };
  const refuseJobs = (job: string) => {
    const queue = t.app.get<JobQueue>(JOB_QUEUE);
    const add = queue.add.bind(queue);
    return jest
      .spyOn(queue, 'add')
      .mockImplementation((name, data, opts) => (name === job ? Promise.reject(new Error('Connection is closed.')) : add(name, data, opts)));
  };
  return { t, wx, f, draft, publish, feedIds, idle, refuseJobs };
}
