import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DevLoginRequest, PHONE_PATTERN, Role, ROLES, WechatLoginRequest } from '@xiangan/shared';
import { IsIn, IsInt, IsOptional, IsString, Length, Matches, Min } from 'class-validator';

export class WechatLoginDto implements WechatLoginRequest {
  @ApiProperty({ description: 'code from wx.login' })
  @IsString()
  @Length(1, 128)
  code: string;
}

export class DevLoginDto implements DevLoginRequest {
  @ApiProperty()
  @IsString()
  @Length(1, 60)
  @Matches(/^[A-Za-z0-9_.:-]+$/, { message: 'openid may contain letters, digits and _ . : - only' })
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
  name?: string;
}

export class UpdateMeDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 50)
  name?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Matches(PHONE_PATTERN, { message: 'phone must be an 11-digit mainland mobile number' })
  phone?: string;

  /** A resident picks their village (officers' units are set by an admin). */
  @ApiPropertyOptional()
  @IsOptional()
  @IsInt()
  @Min(1)
  orgId?: number;
}
