import { TEST_DB } from '../../testing/test-app';
import { OBJECT_STORAGE, ObjectStorage } from '../storage/storage';
import { PledgeSignature } from './pledge.entities';
import { JOB_QUEUE, JobQueue } from '../jobs/job-queue';
import { PLEDGE_IMAGES_SETTLE_JOB, PledgeSignaturesService } from './pledge-signatures.service';
import { studentFields, usePledges } from './__tests__/pledges.fixture';

/**
 * A signature save whose answer is lost: the connection dies around COMMIT (MariaDB killed or paused under load, the
 * faults spec's CI failure of 2026-12-05: a signature stored without its two images). The row may be stored or not;
 * the images it refers to must never go, and images no row refers to go only after a later look.
 */
describe(`pledges: a save in doubt keeps its images (${TEST_DB})`, () => {
  const { t, pair, newCampaign, sign } = usePledges();
  const lost = () => Object.assign(new Error('Connection lost: The server closed the connection.'), { code: 'PROTOCOL_CONNECTION_LOST' });

  /** ds.transaction as the chain writer sees it: per call, 'commit-then-lose' (stored, answer lost) or 'lose' (not stored). */
  const scripted = (plan: ('commit-then-lose' | 'lose')[]) => {
    const real = t.ds.transaction.bind(t.ds) as (...a: unknown[]) => Promise<unknown>;
    let call = 0;
    return jest.spyOn(t.ds, 'transaction').mockImplementation((async (...args: unknown[]) => {
      const step = plan[call++];
      if (step === 'lose') throw lost();
      const result = await real(...args);
      if (step === 'commit-then-lose') throw lost();
      return result;
    }) as never);
  };
  /** The keys the request stored its images under. */
  const putKeys = () => {
    const storage = t.app.get<ObjectStorage>(OBJECT_STORAGE);
    const keys: string[] = [];
    const put = storage.put.bind(storage);
    const spy = jest.spyOn(storage, 'put').mockImplementation(async (key, ...rest) => {
      keys.push(key);
      return put(key, ...rest);
    });
    return { keys, spy };
  };
  const stored = async (key: string) =>
    t.app
      .get<ObjectStorage>(OBJECT_STORAGE)
      .get(key)
      .then(() => true)
      .catch(() => false);
  const verify = async (id: number) => (await t.http.get(`/api/pledge-campaigns/${id}/verify`).set(await t.as('school'))).body;
  afterEach(() => jest.restoreAllMocks());

  it('committed, its answer lost, the writer retries: the signature is answered with its images in place', async () => {
    const id = await newCampaign();
    const tx = scripted(['commit-then-lose']);
    const r = await sign('parent', id, { fields: studentFields('存疑甲'), signatures: pair() }, 'key-doubt-replay-01');
    tx.mockRestore();
    expect(r.status).toBe(201);
    const v = await verify(id);
    expect(v.images.problems).toEqual([]);
    expect(v).toMatchObject({ ok: true, count: 1 });
  });

  it('committed, every answer lost: 503, the row stays with its images, and the later look deletes none', async () => {
    const id = await newCampaign();
    const tx = scripted(['commit-then-lose', 'lose', 'lose', 'lose', 'lose']);
    const r = await sign('parent', id, { fields: studentFields('存疑乙'), signatures: pair() }, 'key-doubt-commit-01');
    tx.mockRestore();
    expect(r.status).toBe(503);
    const row = await t.ds.getRepository(PledgeSignature).findOneByOrFail({ campaignId: id, clientKey: 'key-doubt-commit-01' });
    expect(row.images).toHaveLength(2);
    expect((await verify(id)).images.problems).toEqual([]);
    const keys = row.images.map((i) => i.key);
    expect(await t.app.get(PledgeSignaturesService).settleImages({ signerUserId: row.signerUserId, clientKey: row.clientKey, keys })).toBe(0);
    expect(await Promise.all(keys.map(stored))).toEqual([true, true]);
    // the phone's retry with the same key is answered with that signature
    const retry = await sign('parent', id, { fields: studentFields('存疑乙'), signatures: pair() }, 'key-doubt-commit-01');
    expect(retry.status).toBe(201);
    expect(retry.body.id).toBe(row.id);
    expect(await verify(id)).toMatchObject({ ok: true, count: 1 });
  });

  it('not stored: 503, the images wait for the later look, which deletes them', async () => {
    const id = await newCampaign();
    const tx = scripted(['lose', 'lose', 'lose', 'lose', 'lose']);
    const { keys } = putKeys();
    const queued = jest.spyOn(t.app.get<JobQueue>(JOB_QUEUE), 'add').mockResolvedValue();
    const r = await sign('parent', id, { fields: studentFields('存疑丙'), signatures: pair() }, 'key-doubt-none-01');
    tx.mockRestore();
    expect(r.status).toBe(503);
    expect(keys).toHaveLength(2);
    // the later look is a job, 5 minutes on, retried while the database is away
    expect(queued.mock.calls).toEqual([
      [
        PLEDGE_IMAGES_SETTLE_JOB,
        { signerUserId: expect.any(Number), clientKey: 'key-doubt-none-01', keys },
        expect.objectContaining({ delayMs: 300_000, attempts: 8 }),
      ],
    ]);
    expect(await t.ds.getRepository(PledgeSignature).countBy({ campaignId: id })).toBe(0);
    expect(await Promise.all(keys.map(stored))).toEqual([true, true]);
    const signerUserId = (await t.http.get('/api/me').set(await t.as('parent'))).body.id;
    expect(await t.app.get(PledgeSignaturesService).settleImages({ signerUserId, clientKey: 'key-doubt-none-01', keys })).toBe(2);
    expect(await Promise.all(keys.map(stored))).toEqual([false, false]);
  });
});
