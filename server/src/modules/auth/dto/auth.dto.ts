import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DevLoginRequest, PHONE_PATTERN, Role, ROLES, WechatLoginRequest } from '@xiangan/shared';
import { IsIn, IsInt, IsOptional, IsString, Length, Matches, Min } from 'class-validator';
import { Label } from '../../../common/http/field-labels';

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

  @ApiPropertyOptional({ enum: ROLES })
  @IsOptional()
  @IsIn(ROLES as unknown as string[])
  role?: Role;

  @ApiPropertyOptional()
  @IsOptional()
  @IsInt()
  @Min(1)
  orgId?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 50)
  @Label('姓名')
  name?: string;
}

export class UpdateMeDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 50)
  @Label('姓名')
  name?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Matches(PHONE_PATTERN, { message: '须为 11 位大陆手机号' })
  phone?: string;

  /** A resident picks their village (officers' units are set by an admin). */
  @ApiPropertyOptional()
  @IsOptional()
  @IsInt()
  @Min(1)
  orgId?: number;
}
