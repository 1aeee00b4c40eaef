import { BadRequestException } from '@nestjs/common';
import { IsOptional, IsString, Length } from 'class-validator';
import { Label } from '../http/field-labels';
import { createValidationPipe } from '../http/validation';
import { UpdateOrgUnitDto } from '../../modules/orgs/dto/org.dto';
import { UpdateMeDto } from '../../modules/auth/dto/auth.dto';
import { UpdateUserDto } from '../../modules/users/dto/user.dto';
import { OptionalFields, PickFields } from './mapped-dto';

async function refuse(metatype: new () => object, body: unknown): Promise<string[]> {
  try {
    await createValidationPipe().transform(body, { type: 'body', metatype, data: '' });
  } catch (e) {
    return ((e as BadRequestException).getResponse() as { message: string[] }).message;
  }
  throw new Error('accepted');
}

class Form {
  @IsString()
  @Length(1, 10)
  @Label('班级名称')
  name: string;

  @IsOptional()
  @IsString()
  note?: string;
}

describe('mapped DTOs keep the Chinese names of the form they come from', () => {
  it('PickFields and OptionalFields carry an own @Label, the rules and the optionality', async () => {
    class Picked extends PickFields(Form, ['name']) {}
    class Optional extends OptionalFields(Form, ['name', 'note']) {}
    expect(await refuse(Picked, { name: '' })).toEqual(['班级名称须为 1–10 个字']);
    expect(await refuse(Picked, {})).toEqual(['班级名称须为 1–10 个字', '班级名称须为文字']);
    expect(await refuse(Picked, { name: 'a', note: 'x' })).toEqual(['不认识的字段「note」，请删除后重新提交']);
    expect(await refuse(Optional, { name: 3, note: 4 })).toEqual(['班级名称须为 1–10 个字', '班级名称须为文字', '说明须为文字']);
    await expect(createValidationPipe().transform({}, { type: 'body', metatype: Optional, data: '' })).resolves.toBeInstanceOf(Optional);
  });

  it('the update forms built from create forms say the same as before', async () => {
    expect(await refuse(UpdateOrgUnitDto, { name: '', code: '', population: -1, lat: 91, lng: 181 })).toEqual([
      '单位名称须为 1–100 个字',
      '单位代码须为 1–32 个字',
      '人口不能小于 0',
      '纬度须为纬度（-90 到 90）',
      '经度须为经度（-180 到 180）',
    ]);
    expect(await refuse(UpdateOrgUnitDto, { parentId: 2 })).toEqual(['不认识的字段「parentId」，请删除后重新提交']);
    // the form's own field (`disabled`) is named before the mapped ones: class-validator reads a class's own rules first
    expect(await refuse(UpdateUserDto, { name: '', phone: '123', role: 'king', orgId: 0, disabled: 'no' })).toEqual([
      '停用须为“是”或“否”',
      '姓名须为 1–50 个字',
      '手机号须为 11 位大陆手机号',
      '角色不是可选的值',
      '单位不能小于 1',
    ]);
    expect(await refuse(UpdateMeDto, { name: '', phone: '123', orgId: 0 })).toEqual(['姓名须为 1–50 个字', '手机号须为 11 位大陆手机号', '单位不能小于 1']);
    expect(await refuse(UpdateMeDto, { role: 'admin' })).toEqual(['不认识的字段「role」，请删除后重新提交']);
  });
});
