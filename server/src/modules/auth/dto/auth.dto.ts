import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DevLoginRequest, Role, ROLES, WechatLoginRequest } from '@xiangan/shared';
import { IsOptional, IsString, Length, Matches } from 'class-validator';
import { Label } from '../../../common/http/field-labels';
import { PickFields } from '../../../common/dto/mapped-dto';
import { UpdateUserDto } from '../../users/dto/user.dto';
import { OptionalId, OptionalOneOf } from '../../../common/dto/fields';

export class WechatLoginDto implements WechatLoginRequest {
  @ApiProperty({ description: 'code from wx.login' })
  @IsString()
  @Length(1, 128)
  @Label('微信登录凭证')
  code: string;
}

export class DevLoginDto implements DevLoginRequest {
  @ApiProperty()
  @IsString()
  @Length(1, 60)
  @Matches(/^[A-Za-z0-9_.:-]+$/, { message: '只能含字母、数字和 _ . : -' })
  openid: string;

  @OptionalOneOf(ROLES)
  role?: Role;

  @OptionalId({ min: 1 })
  orgId?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 50)
  @Label('姓名')
  name?: string;
}

/** What a user may change on themself: name, phone and (a resident) their village — the admin form's rules. */
export class UpdateMeDto extends PickFields(UpdateUserDto, ['name', 'phone', 'orgId']) {}
