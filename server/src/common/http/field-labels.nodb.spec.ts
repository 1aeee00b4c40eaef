import { BadRequestException } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { SignPledgeDto } from '../../modules/pledges/dto/pledge.dto';
import { CreateFieldRecordDto } from '../../modules/fieldwork/dto/field-record.dto';
import { CreateUserDto } from '../../modules/users/dto/user.dto';
import { AppConfig } from '../../config/app-config';
import { describe as describePath, labelOf } from './field-labels';
import { createValidationPipe } from './validation';

const SRC = join(__dirname, '../..');
/** Sentences for people: Chinese, and no ASCII identifier (a property path or an English word) outside 「」. */
const PLAIN = (m: string) => /[\u4e00-\u9fff]/.test(m) && !/[A-Za-z]{2,}/.test(m.replace(/「[^」]*」/g, '').replace(/\d+ MB|ISO|T08:00:00/g, ''));

async function refuse(metatype: new () => object, body: unknown): Promise<{ message: string[]; fields: { field: string; message: string }[] }> {
  try {
    await createValidationPipe().transform(body, { type: 'body', metatype, data: '' });
  } catch (e) {
    return (e as BadRequestException).getResponse() as never;
  }
  throw new Error('accepted');
}

describe('field labels', () => {
  it('every validated property of every request DTO has a Chinese label', () => {
    // load every file that declares class-validator rules, then read class-validator's registry
    const files = execFileSync('grep', ['-rl', "from 'class-validator'", SRC, '--include=*.ts'], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .filter((f) => !f.endsWith('.spec.ts') && !f.includes('/testing/'));
    for (const f of files) require(f);
    const storage = getMetadataStorage() as unknown as { validationMetadatas: Map<object, { propertyName: string; target: { name: string } }[]> };
    const missing: string[] = [];
    let seen = 0;
    for (const [target, metas] of storage.validationMetadatas) {
      if (target === AppConfig) continue; // environment settings: read by operators, not a form
      for (const m of metas) {
        seen++;
        const l = labelOf(m.propertyName, target);
        if (!l || !/[\u4e00-\u9fff]/.test(l.label)) missing.push(`${m.target.name}.${m.propertyName}`);
      }
    }
    expect(seen).toBeGreaterThan(300);
    expect([...new Set(missing)]).toEqual([]);
  });

  it('composes the label, the list position and the rule; keeps the path in fields', async () => {
    const r = await refuse(SignPledgeDto, { fields: {}, signatures: [{ role: 'guardian', image: 'x' }, { image: 5 }], phone: 'x'.repeat(21), extra: 1 });
    expect(r.fields).toEqual(
      expect.arrayContaining([
        { field: 'phone', message: '手机号应为 11 位手机号' },
        { field: 'extra', message: '不认识的字段「extra」，请删除后重新提交' },
        { field: 'signatures.1.role', message: '第 2 位签名：签名人须为文字' },
        { field: 'signatures.1.image', message: '第 2 位签名：签名图片须为文字' },
      ]),
    );
    expect(r.message).toEqual(r.fields.map((f) => f.message));
    expect(r.message.filter((m) => !PLAIN(m))).toEqual([]);
  });

  it('says bounds and sizes in words', async () => {
    const r = await refuse(CreateUserDto, { name: '', phone: '123', role: 'nobody', orgId: 0 });
    expect(r.message.filter((m) => !PLAIN(m))).toEqual([]);
    expect(r.message).toContain('手机号须为 11 位大陆手机号');
    const f = await refuse(CreateFieldRecordDto, { kind: '', date: '2026/5/1', units: [{ orgId: -1 }], hazardIds: [1.5], tags: 'x' });
    expect(f.fields).toEqual(
      expect.arrayContaining([
        { field: 'date', message: '日期须为日期（如 2026-05-01）' },
        { field: 'kind', message: '类型至少 1 个字' },
        { field: 'units.0.orgId', message: '第 1 个单位：单位须大于 0' },
        { field: 'hazardIds', message: '关联隐患的每一项须为整数' },
        { field: 'tags', message: '演练科目须为一组值' },
      ]),
    );
    expect(f.message.filter((m) => !PLAIN(m))).toEqual([]);
  });

  it('describes a service-side path the same way', () => {
    expect(describePath('signatures.1.image', '无法读取')).toBe('第 2 位签名：签名图片无法读取');
    expect(describePath('body.2', '不能为空')).toBe('第 3 段正文不能为空');
    expect(describePath('fields.phone', '应为 11 位手机号', '监护人手机号')).toBe('监护人手机号应为 11 位手机号');
    expect(describePath('metrics.participants', '不能为空', '参演观摩人数')).toBe('参演观摩人数不能为空');
  });
});
