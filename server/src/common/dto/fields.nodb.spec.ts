import { BadRequestException } from '@nestjs/common';
import { createValidationPipe } from '../http/validation';
import { FieldRecordQueryDto } from '../../modules/fieldwork/dto/field-record.dto';
import { AssignHazardDto, HazardListQueryDto, RectifyHazardDto, VerifyHazardDto } from '../../modules/hazards/dto/hazard.dto';
import { RiskSiteDtoIn, SitePatrolQueryDto } from '../../modules/registers/dto/registers.dto';
import { UserListQueryDto } from '../../modules/users/dto/user.dto';

async function read(metatype: new () => object, query: Record<string, unknown>, type: 'query' | 'body' = 'query'): Promise<object | string[]> {
  try {
    return (await createValidationPipe().transform(query, { type, metatype, data: '' })) as object;
  } catch (e) {
    return ((e as BadRequestException).getResponse() as { message: string[] }).message;
  }
}

describe('shared field rules', () => {
  it('reads an id from the query string as a number and names the field in its 400s, as the written-out rules did', async () => {
    expect(await read(FieldRecordQueryDto, { orgId: '12' })).toMatchObject({ orgId: 12 });
    expect((await read(FieldRecordQueryDto, {})) as { orgId?: number }).toEqual({});
    expect(await read(FieldRecordQueryDto, { orgId: 'x', kind: 'k'.repeat(40) })).toEqual(['单位须大于 0', '单位须为整数', '类型最多 32 个字']);
    expect(await read(SitePatrolQueryDto, { orgId: '0', siteId: '1.5' })).toEqual(['单位须大于 0', '风险点须为整数']);
    expect(await read(HazardListQueryDto, { orgId: '0', level: 'x' })).toEqual(['单位不能小于 1', '等级不是可选的值']);
    expect(await read(UserListQueryDto, { orgId: 'a', role: 'x' })).toEqual(['单位不能小于 1', '单位须为整数', '角色不是可选的值']);
  });

  it('OptionalOneOf and OptionalDay refuse what the written-out rules refused, in the same words', async () => {
    expect(await read(FieldRecordQueryDto, { sector: 'x', from: '2026-13-01', to: '2026-05-01' })).toEqual([
      '行业领域不是可选的值',
      '开始日期须为日期（如 2026-05-01）',
    ]);
    expect(await read(SitePatrolQueryDto, { from: '2026-05-01', to: '5月1日' })).toEqual(['结束日期须为日期（如 2026-05-01）']);
    expect(await read(UserListQueryDto, { role: 'town_officer' })).toMatchObject({ role: 'town_officer' });
    expect(await read(HazardListQueryDto, { level: 'major', category: 'nope' })).toEqual(['类别不是可选的值']);
  });

  it('OptionalId in a body: no conversion from text, the same words', async () => {
    expect(await read(AssignHazardDto, { responsibleOrgId: 1, deadline: '2026-05-01', responsibleUserId: 0 }, 'body')).toEqual(['责任人不能小于 1']);
    expect(await read(RiskSiteDtoIn, { kind: 'pond', name: '山塘', orgId: '3', enterpriseOrgId: -1 }, 'body')).toEqual([
      '单位须大于 0',
      '单位须为整数',
      '所属企业须大于 0',
    ]);
  });

  it("hazard transitions' notes: required or optional, trimmed, as before", async () => {
    expect(await read(RectifyHazardDto, { note: '   ', photoIds: [0] }, 'body')).toEqual(['说明不能为空', '照片的每一项不能小于 1']);
    expect(await read(RectifyHazardDto, { note: ' 已加装护栏 ' }, 'body')).toMatchObject({ note: '已加装护栏' });
    expect(await read(VerifyHazardDto, { passed: true, note: 5 }, 'body')).toEqual(['说明最多 500 个字', '说明须为文字']);
    expect(await read(VerifyHazardDto, { passed: true, note: 'x'.repeat(2000) }, 'body')).toEqual(['说明最多 500 个字']);
  });
});
