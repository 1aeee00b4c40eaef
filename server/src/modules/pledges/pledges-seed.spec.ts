import { createTestApp, TestApp, TEST_DB } from '../../testing/test-app';
import { seedPledges } from '../../database/seed/pledges.seed';

describe(`pledges demo seed (${TEST_DB})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    const t0 = Date.now();
    await seedPledges(t.seed);

    console.log(`pledges seeded in ${Date.now() - t0} ms`);
  });
  afterAll(() => t.close());

  it('seeds this year campaigns with mostly signed rosters and chains that verify', async () => {
    const town = await t.as('town');
    const list = await t.http.get('/api/pledge-campaigns').query({ pageSize: 50 }).set(town);
    expect(list.body.items.map((c: any) => c.kind).sort()).toEqual([
      'drowning',
      'drowning',
      'fire_food_responsibility',
      'food_drug_coordinator',
      'holiday_safety',
      'production_responsibility',
    ]);
    for (const c of list.body.items) {
      const v = await t.http.get(`/api/pledge-campaigns/${c.id}/verify`).query({ images: 'false' }).set(town);
      expect(v.body).toMatchObject({ ok: true, count: c.signedCount });
      if (c.kind === 'drowning') {
        expect(c.rosterCount).toBeGreaterThan(300);
        expect(c.signedCount / c.rosterCount).toBeGreaterThan(0.8);
        const d = await t.http.get(`/api/pledge-campaigns/${c.id}`).set(town);
        expect(d.body.progress.reduce((a: number, g: any) => a + g.signed, 0)).toBe(c.signedCount);
        expect(d.body.progress[0].group).toBe('一年级一班'.replace('一年级', c.orgName.includes('初级') ? '七年级' : '一年级'));
      }
    }
    const one = (await t.http.get(`/api/pledge-campaigns/${list.body.items[0].id}/signatures`).set(town)).body.items[0];
    const img = await t.http.get(one.images[0].url);
    expect(img.status).toBe(200);
    const withImages = await t.http.get(`/api/pledge-campaigns/${list.body.items[0].id}/verify`).query({ images: 'true' }).set(town);
    expect(withImages.body).toMatchObject({ ok: true, problemCount: 0, images: { problems: [] }, firstBroken: null });
    expect(withImages.body.images.checked).toBeGreaterThan(0);
  });
});
