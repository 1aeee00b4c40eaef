import { TEST_DB } from '../../testing/test-app';
import { named } from '../../testing/fields';
import { inDays, studentFields, usePledges } from './__tests__/pledges.fixture';

/** The built-in letters, versions kept as signed, what a template must hold. */
describe(`pledges (${TEST_DB})`, () => {
  const { t, pair, sign } = usePledges();

  describe('templates', () => {
    it('ships the five kinds with Chinese texts, declared signers and a content hash', async () => {
      const res = await t.http.get('/api/pledge-templates').set(await t.as('town'));
      expect(res.status).toBe(200);
      expect(res.body.map((x: any) => x.kind).sort()).toEqual([
        'drowning',
        'fire_food_responsibility',
        'food_drug_coordinator',
        'holiday_safety',
        'production_responsibility',
      ]);
      const d = res.body.find((x: any) => x.kind === 'drowning').latest;
      for (const rule of [
        '不私自下水游泳',
        '不擅自与他人结伴游泳',
        '不在无家长或教师带领的情况下游泳',
        '不到无安全设施、无救援人员的水域游泳',
        '不到不熟悉的水域游泳',
        '不熟悉水性的学生不擅自下水施救',
      ]) {
        expect(d.body).toContain(rule);
      }
      expect(d.signers.map((s: any) => s.role)).toEqual(['guardian', 'student']);
      expect(d.contentHash).toMatch(/^[0-9a-f]{64}$/);
    });

    it('an edit makes a new version and leaves the signed one as it was', async () => {
      // built-in texts are edited by admins (a town makes its own template instead: pledges-security.spec)
      const town = await t.as('admin');
      const tpl = (await t.http.get('/api/pledge-templates').set(town)).body.find((x: any) => x.kind === 'holiday_safety');
      const v1 = tpl.latest;
      const c = await t.http
        .post('/api/pledge-campaigns')
        .set(town)
        .send({ templateVersionId: v1.id, orgId: t.seed.org.s_middle.id, deadline: inDays(5) });
      expect(
        (
          await sign('parent', c.body.id, {
            fields: studentFields('李小花', '初一(2)班'),
            signatures: pair(),
          })
        ).status,
      ).toBe(201);
      const edited = await t.http
        .post(`/api/pledge-templates/${tpl.id}/versions`)
        .set(town)
        .send({ title: v1.title, body: `${v1.body}\n八、假期每周与班主任联系一次。`, signers: v1.signers, fields: v1.fields });
      expect(edited.status).toBe(201);
      expect(edited.body.versionCount).toBe(2);
      expect(edited.body.latest.id).not.toBe(v1.id);
      expect(edited.body.latest.contentHash).not.toBe(v1.contentHash);
      const full = await t.http.get(`/api/pledge-templates/${tpl.id}`).set(town);
      const old = full.body.versions.find((v: any) => v.id === v1.id);
      expect(old).toMatchObject({ body: v1.body, contentHash: v1.contentHash, locked: true });
      expect((await t.http.get(`/api/pledge-campaigns/${c.body.id}/verify`).set(town)).body.ok).toBe(true);
    });

    it('refuses a template without a subject field and a resident author', async () => {
      const bad = await t.http
        .post('/api/pledge-templates')
        .set(await t.as('town'))
        .send({
          kind: 'drowning',
          title: '测试',
          body: 'x'.repeat(30),
          signers: [{ role: 'guardian', label: '家长' }],
          fields: [{ key: 'phone', label: '电话', type: 'phone', required: true }],
        });
      expect(bad.status).toBe(400);
      expect(named(bad.body).join()).toMatch(/^fields 填写项须包含学生姓名、单位名称、签署人姓名或负责人姓名之一/);
      expect(
        (
          await t.http
            .post('/api/pledge-templates')
            .set(await t.as('resident'))
            .send({})
        ).status,
      ).toBe(403);
    });
  });
});
