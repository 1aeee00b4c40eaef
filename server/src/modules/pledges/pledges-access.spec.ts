import { TEST_DB } from '../../testing/test-app';
import { inDays, studentFields, usePledges } from './__tests__/pledges.fixture';

/** Who sees a campaign and its signatures: the signer, residents, officers outside the unit. */
describe(`pledges (${TEST_DB})`, () => {
  const { t, f, pair, newCampaign, sign } = usePledges();

  describe('who sees what', () => {
    let id: number;
    let parentSig: number;
    beforeAll(async () => {
      id = await newCampaign();
      parentSig = (
        await sign('parent', id, {
          fields: studentFields('隐私'),
          signatures: pair(),
        })
      ).body.id;
    });

    it('a resident reads only their own signature, never the campaign lists', async () => {
      expect((await t.http.get(`/api/pledge-signatures/${parentSig}`).set(await t.as('parent'))).status).toBe(200);
      expect((await t.http.get(`/api/pledge-signatures/${parentSig}`).set(await t.as('resident'))).status).toBe(404);
      expect((await t.http.get(`/api/pledge-campaigns/${id}/signatures`).set(await t.as('resident'))).status).toBe(403);
      expect((await t.http.get(`/api/pledge-campaigns/${id}/unsigned`).set(await t.as('resident'))).status).toBe(403);
      expect((await t.http.get(`/api/pledge-campaigns/${id}/signatures.pdf`).set(await t.as('resident'))).status).toBe(403);
      const mine = await t.http.get('/api/my/pledges').set(await t.as('resident'));
      expect(mine.body.items.find((x: any) => x.id === parentSig)).toBeUndefined();
      const d = await t.http.get(`/api/pledge-campaigns/${id}`).set(await t.as('resident'));
      expect(d.status).toBe(200);
      expect(d.body.progress).toBeNull();
    });

    it('an officer outside the unit gets 404, and cannot create a campaign there (403)', async () => {
      const other = await t.as('town2');
      for (const path of ['', '/unsigned', '/verify', '/signatures', '/signatures.pdf', '/signatures.xlsx', '/qrcode']) {
        expect((await t.http.get(`/api/pledge-campaigns/${id}${path}`).set(other)).status).toBe(404);
      }
      expect((await t.http.get(`/api/pledge-signatures/${parentSig}`).set(other)).status).toBe(404);
      const list = await t.http.get('/api/pledge-campaigns').set(other);
      expect(list.body.items.find((c: any) => c.id === id)).toBeUndefined();
      const create = await t.http
        .post('/api/pledge-campaigns')
        .set(await t.as('village'))
        .send({ templateVersionId: f.drowningVersionId, orgId: t.seed.org.s_primary.id, deadline: inDays(3) });
      expect(create.status).toBe(403);
      // the town officer above the school sees it
      expect((await t.http.get(`/api/pledge-campaigns/${id}/signatures`).set(await t.as('town'))).body.total).toBe(1);
    });

    it('a resident sees the town school campaign in their list', async () => {
      const list = await t.http.get('/api/pledge-campaigns').set(await t.as('parent'));
      const item = list.body.items.find((c: any) => c.id === id);
      expect(item).toMatchObject({ mySignatureId: parentSig });
    });
  });
});
