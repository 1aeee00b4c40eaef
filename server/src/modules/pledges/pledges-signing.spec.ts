import { TEST_DB } from '../../testing/test-app';
import { named } from '../../testing/fields';
import { PledgeSignature } from './pledge.entities';
import { blankPng, dotPng, pngDataUrl } from './signature-art';
import { studentFields, usePledges } from './__tests__/pledges.fixture';

/** Signing: refused images, duplicates and replays, the deadline, 200 at once in one chain. */
describe(`pledges (${TEST_DB})`, () => {
  const { t, f, pair, newCampaign, sign } = usePledges();

  describe('signing', () => {
    it('refuses a blank canvas and a dot, naming the signer', async () => {
      const id = await newCampaign();
      const blank = await sign('parent', id, {
        fields: studentFields('空白'),
        signatures: [
          { role: 'guardian', image: pngDataUrl(await blankPng()) },
          { role: 'student', image: f.sig2 },
        ],
      });
      expect(blank.status).toBe(400);
      expect(named(blank.body).join()).toMatch(/signatures\.guardian/);
      const dot = await sign('parent', id, {
        fields: studentFields('空白'),
        signatures: [
          { role: 'guardian', image: f.sig },
          { role: 'student', image: pngDataUrl(await dotPng()) },
        ],
      });
      expect(dot.status).toBe(400);
      expect(named(dot.body).join()).toMatch(/signatures\.student/);
      const missing = await sign('parent', id, { fields: studentFields('空白'), signatures: [{ role: 'guardian', image: f.sig }] });
      expect(missing.status).toBe(400);
      expect(named(missing.body).join()).toMatch(/signatures\.student/);
      const notPng = await sign('parent', id, {
        fields: studentFields('空白'),
        signatures: [
          { role: 'guardian', image: 'data:image/jpeg;base64,/9j/4AAQ' },
          { role: 'student', image: f.sig2 },
        ],
      });
      expect(notPng.status).toBe(415);
      const badPhone = await sign('parent', id, {
        fields: studentFields('空白', '一班', '123'),
        signatures: pair(),
      });
      expect(badPhone.status).toBe(400);
      expect(named(badPhone.body).join()).toMatch(/fields\.phone/);
      expect(await t.ds.getRepository(PledgeSignature).count({ where: { campaignId: id } })).toBe(0);
    });

    it('a duplicate is 409 with the first signature time; the same key replays', async () => {
      const id = await newCampaign();
      const body = {
        fields: studentFields('刘洋'),
        signatures: pair(),
      };
      const first = await sign('parent', id, body, 'key-duplicate-0001');
      expect(first.status).toBe(201);
      const replay = await sign('parent', id, body, 'key-duplicate-0001');
      expect(replay.status).toBe(201);
      expect(replay.body.id).toBe(first.body.id);
      const dup = await sign('resident', id, { ...body, fields: { ...body.fields, studentName: ' 刘洋 ' } });
      expect(dup.status).toBe(409);
      const t0 = new Date(new Date(first.body.signedAt).getTime() + 8 * 3600_000).toISOString().replace('T', ' ').slice(0, 19);
      expect(dup.body.message).toContain(t0);
      expect(await t.ds.getRepository(PledgeSignature).count({ where: { campaignId: id } })).toBe(1);
      // the signer sees it afterwards, with images
      const mine = await t.http.get('/api/my/pledges').set(await t.as('parent'));
      const item = mine.body.items.find((x: any) => x.id === first.body.id);
      expect(item).toBeTruthy();
      const img = await t.http.get(item.images[0].url);
      expect(img.status).toBe(200);
      expect(img.headers['content-type']).toBe('image/png');
      expect((await t.http.get(item.images[0].url.replace(/sig=[^&]+/, 'sig=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'))).status).toBe(403);
    });

    it('looks for duplicates and replays of a signature in one read', async () => {
      const id = await newCampaign();
      const first = await sign('parent', id, { fields: studentFields('一次读'), signatures: pair() }, 'key-one-read-0001');
      expect(first.status).toBe(201);
      const looks = async (body: any, key: string) => {
        const logQuery = jest.spyOn(t.ds.logger, 'logQuery');
        try {
          const res = await sign('parent', id, body, key);
          return { status: res.status, reads: logQuery.mock.calls.filter(([sql]) => /FROM [`"]pledge_signature[`"] [`"]PledgeSignature[`"]/.test(sql)).length };
        } finally {
          logQuery.mockRestore();
        }
      };
      // a new one, a replay of the first (same key), a duplicate of it (same child, new key): one read each — each was two
      expect(await looks({ fields: studentFields('一次读二'), signatures: pair() }, 'key-one-read-0002')).toEqual({ status: 201, reads: 1 });
      expect(await looks({ fields: studentFields('一次读'), signatures: pair() }, 'key-one-read-0001')).toEqual({ status: 201, reads: 1 });
      expect(await looks({ fields: studentFields('一次读'), signatures: pair() }, 'key-one-read-0003')).toEqual({ status: 409, reads: 1 });
    });

    it('the same key sent four times at once makes one signature; every answer is it, the retries marked replayed', async () => {
      const id = await newCampaign();
      const body = {
        fields: studentFields('并发重试'),
        signatures: pair(),
      };
      const answers = await Promise.all([0, 1, 2, 3].map(() => sign('parent', id, body, `key-burst-${id}-0001`)));
      expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201]);
      expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
      expect(answers.filter((a) => a.headers['idempotent-replayed'] === 'true').length).toBe(3);
      expect(await t.ds.getRepository(PledgeSignature).count({ where: { campaignId: id } })).toBe(1);
      // the same key with different content (a client bug) is still that one signature, not a second one
      const other = await sign('parent', id, { ...body, fields: studentFields('另一个孩子') }, `key-burst-${id}-0001`);
      expect(other.status).toBe(201);
      expect(other.body.id).toBe(answers[0].body.id);
      // a retry that arrives after the campaign was closed still gets the signature it made
      expect((await t.http.post(`/api/pledge-campaigns/${id}/close`).set(await t.as('school'))).status).toBe(200);
      const late = await sign('parent', id, body, `key-burst-${id}-0001`);
      expect(late.status).toBe(201);
      expect(late.body.id).toBe(answers[0].body.id);
      expect(late.headers['idempotent-replayed']).toBe('true');
      const v = await t.http.get(`/api/pledge-campaigns/${id}/verify`).set(await t.as('school'));
      expect(v.body).toMatchObject({ ok: true, count: 1 });
    });

    it('refuses a signature after the deadline and on a closed campaign', async () => {
      const id = await newCampaign('school', 's_primary', new Date(Date.now() + 1500).toISOString());
      await new Promise((r) => setTimeout(r, 1700));
      const late = await sign('parent', id, {
        fields: studentFields('迟到'),
        signatures: pair(),
      });
      expect(late.status).toBe(409);
      expect(late.body.message).toMatch(/截止/);
      const id2 = await newCampaign();
      expect((await t.http.post(`/api/pledge-campaigns/${id2}/close`).set(await t.as('school'))).status).toBe(200);
      const closed = await sign('parent', id2, {
        fields: studentFields('关闭'),
        signatures: pair(),
      });
      expect(closed.status).toBe(409);
      expect(closed.body.message).toMatch(/关闭/);
    });

    it('200 concurrent signatures make 200 records and one chain that verifies', async () => {
      const id = await newCampaign();
      const users = await Promise.all(Array.from({ length: 10 }, (_, i) => t.login(`conc-parent-${i}`)));
      const results = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          t.http
            .post(`/api/pledge-campaigns/${id}/signatures`)
            .set(users[i % 10])
            .set('Idempotency-Key', `conc-${id}-${i}-key`)
            .send({
              fields: studentFields(`学生${i}`, `${(i % 6) + 1}年级一班`, `139${String(i).padStart(8, '0')}`),
              signatures: pair(),
            }),
        ),
      );
      expect(results.map((r) => r.status).filter((s) => s !== 201)).toEqual([]);
      const rows = await t.ds.getRepository(PledgeSignature).find({ where: { campaignId: id }, order: { seq: 'ASC' } });
      expect(rows.length).toBe(200);
      expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
      const v = await t.http
        .get(`/api/pledge-campaigns/${id}/verify`)
        .query({ images: 'true' })
        .set(await t.as('school'));
      expect(v.body).toMatchObject({ ok: true, count: 200, firstBroken: null });
      const d = await t.http.get(`/api/pledge-campaigns/${id}`).set(await t.as('school'));
      expect(d.body.signedCount).toBe(200);

      // tamper: change one stored field directly in the database
      const victim = rows[136];
      const changed = { ...victim.fields, guardianName: '李四' };
      await t.ds.query('UPDATE pledge_signature SET fields = ? WHERE id = ?', [JSON.stringify(changed), victim.id]);
      const bad = await t.http.get(`/api/pledge-campaigns/${id}/verify`).set(await t.as('school'));
      expect(bad.body.ok).toBe(false);
      expect(bad.body.firstBroken).toMatchObject({ seq: 137, id: victim.id });
      expect(bad.body.firstBroken.reason).toMatch(/改动/);
      // deleting the last one is caught by the head
      await t.ds.query('UPDATE pledge_signature SET fields = ? WHERE id = ?', [JSON.stringify(victim.fields), victim.id]);
      expect((await t.http.get(`/api/pledge-campaigns/${id}/verify`).set(await t.as('school'))).body.ok).toBe(true);
      await t.ds.query('DELETE FROM pledge_signature WHERE id = ?', [rows[199].id]);
      const cut = await t.http.get(`/api/pledge-campaigns/${id}/verify`).set(await t.as('school'));
      expect(cut.body).toMatchObject({ ok: false, firstBroken: { seq: 200 } });
    });
  });
});
