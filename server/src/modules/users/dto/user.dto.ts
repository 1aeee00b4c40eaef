import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CreateUserRequest, maskPhone, PHONE_PATTERN, Role, ROLES, UpdateUserRequest, UserDto } from '@xiangan/shared';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Length, Matches, Min } from 'class-validator';
import { PageQueryDto, toBool } from '../../../common/http/page-query.dto';
import type { User } from '../user.entity';
import { Label } from '../../../common/http/field-labels';
import { OptionalFields } from '../../../common/dto/mapped-dto';
import { OptionalOneOf, OptionalQueryId } from '../../../common/dto/fields';

export class CreateUserDto implements CreateUserRequest {
  @ApiProperty()
  @IsString()
  @Length(1, 50)
  @Label('姓名')
  name: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Matches(PHONE_PATTERN, { message: '须为 11 位大陆手机号' })
  phone?: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES as unknown as string[])
  role: Role;

  @ApiProperty()
  @IsInt()
  @Min(1)
  orgId: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 64)
  openid?: string;
}

export class UpdateUserDto extends OptionalFields(CreateUserDto, ['name', 'phone', 'role', 'orgId']) implements UpdateUserRequest {
  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  disabled?: boolean;
}

export class UserListQueryDto extends PageQueryDto {
  @OptionalQueryId({ min: 1 })
  orgId?: number;

  @OptionalOneOf(ROLES)
  role?: Role;

  @ApiPropertyOptional({ description: 'only officers (for picking whom to assign)' })
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  officersOnly?: boolean;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 50)
  q?: string;
}

/** Phones are masked unless `full` (the user themself, or an admin managing accounts). */
export function mapUser(u: User, orgName: string | null, full = false): UserDto {
  return {
    id: u.id,
    name: u.name,
    phone: full ? u.phone : maskPhone(u.phone),
    role: u.role,
    orgId: u.orgId,
    orgName,
    createdAt: u.createdAt.toISOString(),
  };
}
