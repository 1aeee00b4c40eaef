import ExcelJS from 'exceljs';
import { createTestApp, TestApp, TEST_DB } from '../../testing/test-app';
import { PledgeSignature } from './pledge.entities';
import { blankPng, dotPng, drawSignaturePng, pngDataUrl } from './signature-art';
import { named } from '../../testing/fields';

const inDays = (d: number) => new Date(Date.now() + d * 86400_000).toISOString();

async function xlsxOf(rows: (string | number)[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('名单');
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

describe(`pledges (${TEST_DB})`, () => {
  let t: TestApp;
  let sig: string;
  let sig2: string;
  let drowningVersionId: number;

  beforeAll(async () => {
    t = await createTestApp();
    sig = pngDataUrl(await drawSignaturePng(1));
    sig2 = pngDataUrl(await drawSignaturePng(2));
    const list = await t.http.get('/api/pledge-templates').set(await t.as('town'));
    drowningVersionId = list.body.find((x: any) => x.kind === 'drowning').latest.id;
  });
  afterAll(() => t.close());

  const newCampaign = async (who = 'school', orgKey = 's_primary', deadline = inDays(30)) => {
    const res = await t.http
      .post('/api/pledge-campaigns')
      .set(await t.as(who))
      .send({ templateVersionId: drowningVersionId, orgId: t.seed.org[orgKey].id, deadline });
    expect(res.status).toBe(201);
    return res.body.id as number;
  };
  const studentFields = (name: string, cls = '一年级一班', phone = '13900000001') => ({
    studentName: name,
    className: cls,
    guardianName: '张德明',
    relation: '父亲',
    phone,
  });
  const sign = async (who: string, id: number, body: any, key?: string) => {
    const req = t.http.post(`/api/pledge-campaigns/${id}/signatures`).set(await t.as(who));
    if (key) req.set('Idempotency-Key', key);
    return req.send(body);
  };

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
            signatures: [
              { role: 'guardian', image: sig },
              { role: 'student', image: sig2 },
            ],
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

  describe('roster import', () => {
    it('imports a clean xlsx and a GBK csv; progress counts by class', async () => {
      const id = await newCampaign();
      const file = await xlsxOf([
        ['学生姓名', '班级', '监护人', '联系电话'],
        ['王小明', '一年级一班', '王大山', '13800000001'],
        ['李小红', '一年级一班', '李国庆', '13800000002'],
        ['赵小刚', '一年级二班', '赵平', '13800000003'],
      ]);
      const res = await t.http
        .post(`/api/pledge-campaigns/${id}/roster`)
        .set(await t.as('school'))
        .attach('file', file, '名单.xlsx');
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
      const file = await xlsxOf([
        ['学生姓名', '班级', '监护人', '联系电话'],
        ['王小明', '一年级一班', '王大山', '13800000001'],
        ['', '一年级一班', '李国庆', '13800000002'],
        ['赵小刚', '一年级二班', '赵平', '12345'],
        ['王小明', '一年级一班', '王大山', '13800000001'],
      ]);
      const res = await t.http
        .post(`/api/pledge-campaigns/${id}/roster`)
        .set(await t.as('school'))
        .attach('file', file, '名单.xlsx');
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
      const file = await xlsxOf([
        ['学生姓名', '班级', '监护人', '联系电话'],
        ['陈一', '三年级一班', '陈父', '13800000011'],
        ['陈二', '三年级一班', '陈母', '13800000012'],
      ]);
      await t.http
        .post(`/api/pledge-campaigns/${id}/roster`)
        .set(await t.as('school'))
        .attach('file', file, 'r.xlsx');
      const pick = await t.http
        .get(`/api/pledge-campaigns/${id}/roster`)
        .query({ q: '陈一' })
        .set(await t.as('parent'));
      expect(pick.status).toBe(200);
      expect(pick.body).toEqual([{ id: expect.any(Number), name: '陈一', group: null, guardianName: '陈*' }]);
      const res = await sign('parent', id, {
        rosterId: pick.body[0].id,
        fields: { guardianName: '陈父', relation: '父亲', phone: '13800000011' },
        signatures: [
          { role: 'guardian', image: sig },
          { role: 'student', image: sig2 },
        ],
      });
      expect(res.status).toBe(201);
      expect(res.body.fields).toMatchObject({ studentName: '陈一', className: '三年级一班' });
      const un = await t.http.get(`/api/pledge-campaigns/${id}/unsigned`).set(await t.as('school'));
      expect(un.body).toMatchObject({ total: 1, items: [{ name: '陈二', group: '三年级一班', phone: '138****0012' }] });
      // someone else (another phone) may not sign for the child; the guardian's phone again is a duplicate
      const other = await sign('resident', id, {
        rosterId: pick.body[0].id,
        fields: studentFields('陈一', '三年级一班'),
        signatures: [
          { role: 'guardian', image: sig },
          { role: 'student', image: sig2 },
        ],
      });
      expect(other.status).toBe(403);
      const again = await sign('resident', id, {
        rosterId: pick.body[0].id,
        fields: studentFields('陈一', '三年级一班', '13800000011'),
        signatures: [
          { role: 'guardian', image: sig },
          { role: 'student', image: sig2 },
        ],
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

  describe('signing', () => {
    it('refuses a blank canvas and a dot, naming the signer', async () => {
      const id = await newCampaign();
      const blank = await sign('parent', id, {
        fields: studentFields('空白'),
        signatures: [
          { role: 'guardian', image: pngDataUrl(await blankPng()) },
          { role: 'student', image: sig2 },
        ],
      });
      expect(blank.status).toBe(400);
      expect(named(blank.body).join()).toMatch(/signatures\.guardian/);
      const dot = await sign('parent', id, {
        fields: studentFields('空白'),
        signatures: [
          { role: 'guardian', image: sig },
          { role: 'student', image: pngDataUrl(await dotPng()) },
        ],
      });
      expect(dot.status).toBe(400);
      expect(named(dot.body).join()).toMatch(/signatures\.student/);
      const missing = await sign('parent', id, { fields: studentFields('空白'), signatures: [{ role: 'guardian', image: sig }] });
      expect(missing.status).toBe(400);
      expect(named(missing.body).join()).toMatch(/signatures\.student/);
      const notPng = await sign('parent', id, {
        fields: studentFields('空白'),
        signatures: [
          { role: 'guardian', image: 'data:image/jpeg;base64,/9j/4AAQ' },
          { role: 'student', image: sig2 },
        ],
      });
      expect(notPng.status).toBe(415);
      const badPhone = await sign('parent', id, {
        fields: studentFields('空白', '一班', '123'),
        signatures: [
          { role: 'guardian', image: sig },
          { role: 'student', image: sig2 },
        ],
      });
      expect(badPhone.status).toBe(400);
      expect(named(badPhone.body).join()).toMatch(/fields\.phone/);
      expect(await t.ds.getRepository(PledgeSignature).count({ where: { campaignId: id } })).toBe(0);
    });

    it('a duplicate is 409 with the first signature time; the same key replays', async () => {
      const id = await newCampaign();
      const body = {
        fields: studentFields('刘洋'),
        signatures: [
          { role: 'guardian', image: sig },
          { role: 'student', image: sig2 },
        ],
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

    it('the same key sent four times at once makes one signature; every answer is it, the retries marked replayed', async () => {
      const id = await newCampaign();
      const body = {
        fields: studentFields('并发重试'),
        signatures: [
          { role: 'guardian', image: sig },
          { role: 'student', image: sig2 },
        ],
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
        signatures: [
          { role: 'guardian', image: sig },
          { role: 'student', image: sig2 },
        ],
      });
      expect(late.status).toBe(409);
      expect(late.body.message).toMatch(/截止/);
      const id2 = await newCampaign();
      expect((await t.http.post(`/api/pledge-campaigns/${id2}/close`).set(await t.as('school'))).status).toBe(200);
      const closed = await sign('parent', id2, {
        fields: studentFields('关闭'),
        signatures: [
          { role: 'guardian', image: sig },
          { role: 'student', image: sig2 },
        ],
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
              signatures: [
                { role: 'guardian', image: sig },
                { role: 'student', image: sig2 },
              ],
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

  describe('who sees what', () => {
    let id: number;
    let parentSig: number;
    beforeAll(async () => {
      id = await newCampaign();
      parentSig = (
        await sign('parent', id, {
          fields: studentFields('隐私'),
          signatures: [
            { role: 'guardian', image: sig },
            { role: 'student', image: sig2 },
          ],
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
        .send({ templateVersionId: drowningVersionId, orgId: t.seed.org.s_primary.id, deadline: inDays(3) });
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

  describe('exports', () => {
    it('PDF has one page per signed pledge; xlsx and QR answer', async () => {
      const id = await newCampaign();
      for (let i = 0; i < 3; i++) {
        expect(
          (
            await sign('parent', id, {
              fields: studentFields(`导出${i}`),
              signatures: [
                { role: 'guardian', image: sig },
                { role: 'student', image: sig2 },
              ],
            })
          ).status,
        ).toBe(201);
      }
      const pdf = await t.http
        .get(`/api/pledge-campaigns/${id}/signatures.pdf`)
        .set(await t.as('school'))
        .buffer(true)
        .parse((res, cb) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => cb(null, Buffer.concat(chunks)));
        });
      expect(pdf.status).toBe(200);
      const buf = pdf.body as Buffer;
      expect(buf.subarray(0, 4).toString()).toBe('%PDF');
      expect((buf.toString('latin1').match(/\/Type \/Page\b/g) ?? []).length).toBe(3);
      const xlsx = await t.http
        .get(`/api/pledge-campaigns/${id}/signatures.xlsx`)
        .set(await t.as('school'))
        .buffer(true)
        .parse((res, cb) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => cb(null, Buffer.concat(chunks)));
        });
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(xlsx.body as Buffer);
      expect(wb.worksheets[0].rowCount).toBe(4);
      const qr = await t.http.get(`/api/pledge-campaigns/${id}/qrcode`).set(await t.as('school'));
      expect(qr.status).toBe(200);
      expect(qr.headers['content-type']).toBe('image/png');
      expect(qr.headers['x-qrcode-kind']).toBe('qrcode');
    });

    it("names the files by the campaign's Chinese title, intact through RFC 5987, with an ASCII fallback and no caching", async () => {
      const title = "暑期防溺水 (2026) '一班'*";
      const made = await t.http
        .post('/api/pledge-campaigns')
        .set(await t.as('school'))
        .send({ templateVersionId: drowningVersionId, orgId: t.seed.org.s_primary.id, deadline: inDays(30), title });
      expect(made.status).toBe(201);
      const id = made.body.id as number;
      for (const [ext, suffix] of [
        ['xlsx', '汇总'],
        ['pdf', '签名'],
      ]) {
        const res = await t.http.get(`/api/pledge-campaigns/${id}/signatures.${ext}`).set(await t.as('school'));
        expect(res.status).toBe(200);
        const cd = String(res.headers['content-disposition']);
        // RFC 6266 + RFC 5987: filename*=UTF-8''<value-chars> where value-chars are attr-char or %XX only
        const m = /^attachment; filename="([\x20-\x21\x23-\x5b\x5d-\x7e]*)"; filename\*=UTF-8''((?:[A-Za-z0-9!#$&+.^_`|~-]|%[0-9A-F]{2})+)$/.exec(cd);
        expect(m).not.toBeNull();
        expect(m![1]).toBe(`pledges-${id}.${ext}`);
        expect(decodeURIComponent(m![2])).toBe(`${title}-${suffix}.${ext}`);
        expect(res.headers['cache-control']).toBe('private, no-store');
      }
    });
  });
});
