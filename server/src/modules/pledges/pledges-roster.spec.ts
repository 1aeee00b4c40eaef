import { TEST_DB } from '../../testing/test-app';
import { studentFields, usePledges } from './__tests__/pledges.fixture';

/** Rosters: xlsx and GBK csv, every bad row named, signing from the roster, the unsigned list. */
describe(`pledges (${TEST_DB})`, () => {
  const { t, pair, newCampaign, sign, importRoster } = usePledges();

  describe('roster import', () => {
    it('imports a clean xlsx and a GBK csv; progress counts by class', async () => {
      const id = await newCampaign();
      const res = await importRoster(id, [
        ['学生姓名', '班级', '监护人', '联系电话'],
        ['王小明', '一年级一班', '王大山', '13800000001'],
        ['李小红', '一年级一班', '李国庆', '13800000002'],
        ['赵小刚', '一年级二班', '赵平', '13800000003'],
      ]);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ imported: 3, rosterKind: 'student' });
      const d = await t.http.get(`/api/pledge-campaigns/${id}`).set(await t.as('school'));
      expect(d.body.rosterCount).toBe(3);
      expect(d.body.progress).toEqual([
        { group: '一年级一班', roster: 2, signed: 0 },
        { group: '一年级二班', roster: 1, signed: 0 },
      ]);

      const id2 = await newCampaign();
      const text = '学生姓名,班级,监护人,联系电话\r\n"孙 悟",二年级一班,孙大圣,139-0000-0005\r\n周芷,二年级一班,周某,13900000006\r\n';
      const res2 = await t.http
        .post(`/api/pledge-campaigns/${id2}/roster`)
        .set(await t.as('school'))
        .attach('file', Buffer.from(text, 'utf8'), 'roster.csv');
      expect(res2.status).toBe(200);
      expect(res2.body.imported).toBe(2);
      // Excel on Chinese Windows saves CSV as GBK
      const id3 = await newCampaign();
      const gbk = Buffer.from(
        'd1a7c9fad0d5c3fb2cb0e0bcb62cbce0bba4c8cb2cc1aacfb5b5e7bbb00d0acbefcef22cb6fec4eabcb6d2bbb0e02ccbefb4f3caa52c31333930303030303030350d0a',
        'hex',
      );
      const res3 = await t.http
        .post(`/api/pledge-campaigns/${id3}/roster`)
        .set(await t.as('school'))
        .attach('file', gbk, 'gbk.csv');
      expect(res3.status).toBe(200);
      const un = await t.http.get(`/api/pledge-campaigns/${id3}/unsigned`).set(await t.as('school'));
      expect(un.body.items[0]).toMatchObject({ name: '孙悟', group: '二年级一班' });
    });

    it('reports every bad row by number and field, and imports nothing', async () => {
      const id = await newCampaign();
      const res = await importRoster(id, [
        ['学生姓名', '班级', '监护人', '联系电话'],
        ['王小明', '一年级一班', '王大山', '13800000001'],
        ['', '一年级一班', '李国庆', '13800000002'],
        ['赵小刚', '一年级二班', '赵平', '12345'],
        ['王小明', '一年级一班', '王大山', '13800000001'],
      ]);
      expect(res.status).toBe(400);
      const msg = res.body.message as string[];
      expect(msg[0]).toMatch(/未导入任何一行/);
      expect(msg).toEqual(
        expect.arrayContaining(['第 3 行 学生姓名：不能为空', expect.stringMatching(/^第 4 行 联系电话：/), '第 5 行 学生姓名：与第 2 行重复']),
      );
      const d = await t.http.get(`/api/pledge-campaigns/${id}`).set(await t.as('school'));
      expect(d.body.rosterCount).toBe(0);
      const unsigned = await t.http.get(`/api/pledge-campaigns/${id}/unsigned`).set(await t.as('school'));
      expect(unsigned.body.total).toBe(0);
      const missing = await t.http
        .post(`/api/pledge-campaigns/${id}/roster`)
        .set(await t.as('school'))
        .attach('file', Buffer.from('姓名,班级\n张三,一班\n'), 'x.csv');
      expect(missing.status).toBe(400);
    });

    it('signing picks from the roster; unsigned list is masked and shrinks', async () => {
      const id = await newCampaign();
      await importRoster(
        id,
        [
          ['学生姓名', '班级', '监护人', '联系电话'],
          ['陈一', '三年级一班', '陈父', '13800000011'],
          ['陈二', '三年级一班', '陈母', '13800000012'],
        ],
        'r.xlsx',
      );
      const pick = await t.http
        .get(`/api/pledge-campaigns/${id}/roster`)
        .query({ q: '陈一' })
        .set(await t.as('parent'));
      expect(pick.status).toBe(200);
      expect(pick.body).toEqual([{ id: expect.any(Number), name: '陈一', group: null, guardianName: '陈*' }]);
      const res = await sign('parent', id, {
        rosterId: pick.body[0].id,
        fields: { guardianName: '陈父', relation: '父亲', phone: '13800000011' },
        signatures: pair(),
      });
      expect(res.status).toBe(201);
      expect(res.body.fields).toMatchObject({ studentName: '陈一', className: '三年级一班' });
      const un = await t.http.get(`/api/pledge-campaigns/${id}/unsigned`).set(await t.as('school'));
      expect(un.body).toMatchObject({ total: 1, items: [{ name: '陈二', group: '三年级一班', phone: '138****0012' }] });
      // someone else (another phone) may not sign for the child; the guardian's phone again is a duplicate
      const other = await sign('resident', id, {
        rosterId: pick.body[0].id,
        fields: studentFields('陈一', '三年级一班'),
        signatures: pair(),
      });
      expect(other.status).toBe(403);
      const again = await sign('resident', id, {
        rosterId: pick.body[0].id,
        fields: studentFields('陈一', '三年级一班', '13800000011'),
        signatures: pair(),
      });
      expect(again.status).toBe(409);
      const d = await t.http.get(`/api/pledge-campaigns/${id}`).set(await t.as('school'));
      expect(d.body.progress).toEqual([{ group: '三年级一班', roster: 2, signed: 1 }]);
      const r = await t.http.post(`/api/pledge-campaigns/${id}/remind`).set(await t.as('school'));
      expect(r.status).toBe(200);
      expect(r.body.unsignedCount).toBe(1);
      expect((await t.http.post(`/api/pledge-campaigns/${id}/remind`).set(await t.as('school'))).status).toBe(409);
    });
  });
});
