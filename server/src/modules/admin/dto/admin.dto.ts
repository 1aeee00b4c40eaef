import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ADMIN_LIMITS, CreateInvitationRequest, HandoverRequest, Role, ROLES, UpdatePersonRequest } from '@xiangan/shared';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { PageQueryDto, toBool } from '../../../common/http/page-query.dto';
import { Label } from '../../../common/http/field-labels';
import { OptionalOneOf, OptionalQueryId } from '../../../common/dto/fields';

const INVITABLE = ROLES.filter((r) => r !== 'resident');

export class CreateInvitationDto implements CreateInvitationRequest {
  @ApiProperty({ enum: INVITABLE })
  @IsIn(INVITABLE, { message: '须为干部角色（网格员、村安全负责人、镇安监办、行业部门、县应急管理局、系统管理员）' })
  role: Role;

  @ApiPropertyOptional()
  @IsOptional()
  @IsInt({ message: '须为单位编号' })
  @Min(1, { message: '须为单位编号' })
  orgId?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: ADMIN_LIMITS.invitationMaxUses, default: 1 })
  @IsOptional()
  @IsInt({ message: '须为整数' })
  @Min(1, { message: '至少为 1' })
  @Max(ADMIN_LIMITS.invitationMaxUses, { message: `最多 ${ADMIN_LIMITS.invitationMaxUses} 次` })
  maxUses?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: ADMIN_LIMITS.invitationMaxHours, default: 72 })
  @IsOptional()
  @IsInt({ message: '须为整数' })
  @Min(1, { message: '至少 1 小时' })
  @Max(ADMIN_LIMITS.invitationMaxHours, { message: `最长 ${ADMIN_LIMITS.invitationMaxHours} 小时（30 天）` })
  hours?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(0, 60, { message: '最多 60 个字' })
  note?: string;
}

export class AcceptInvitationDto {
  @ApiProperty()
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{8,32}$/, { message: '格式不对' })
  @Label('邀请码')
  code: string;
}

export class InvitationListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'only invitations still usable' })
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  activeOnly?: boolean;
}

export class PeopleQueryDto extends PageQueryDto {
  @OptionalQueryId({ min: 1 })
  orgId?: number;

  @OptionalOneOf(ROLES)
  role?: Role;

  @ApiPropertyOptional({ description: 'name or phone (digits) contains' })
  @IsOptional()
  @IsString()
  @Length(1, 50)
  q?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  includeDisabled?: boolean;

  @ApiPropertyOptional({ description: 'officers only (every role but resident)' })
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  officersOnly?: boolean;
}

export class UpdatePersonDto implements UpdatePersonRequest {
  @ApiPropertyOptional({ enum: ROLES })
  @IsOptional()
  @IsIn(ROLES as unknown as string[], { message: '不是有效的角色' })
  role?: Role;

  @ApiPropertyOptional()
  @IsOptional()
  @IsInt({ message: '须为单位编号' })
  @Min(1, { message: '须为单位编号' })
  orgId?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean({ message: '须为“是”或“否”' })
  disabled?: boolean;
}

export class HandoverDto implements HandoverRequest {
  @ApiProperty()
  @IsInt({ message: '须为接手干部的编号' })
  @Min(1, { message: '须为接手干部的编号' })
  toUserId: number;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  disable?: boolean;
}

export class UnitImportQueryDto {
  @ApiPropertyOptional({ description: 'true: only check and preview, store nothing' })
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  dryRun?: boolean;
}
