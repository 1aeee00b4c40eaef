import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  AnswerHazardRequest,
  AssignHazardRequest,
  CreateHazardRequest,
  EscalateHazardRequest,
  HAZARD_CATEGORY_CODES,
  HAZARD_LEVELS,
  HAZARD_STATUSES,
  HazardCategory,
  HazardLevel,
  HazardListQuery,
  LIMITS,
  NoteRequest,
  PHONE_PATTERN,
  RectifyHazardRequest,
  RejectHazardRequest,
  VerifyHazardRequest,
  ConfirmFixedRequest,
} from '@xiangan/shared';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsLatitude,
  IsLongitude,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  Min,
  Validate,
  ValidatorConstraint,
  ValidatorConstraintInterface,
} from 'class-validator';
import { PageQueryDto, toBool } from '../../../common/http/page-query.dto';
import { Label } from '../../../common/http/field-labels';
import { OptionalId, OptionalOneOf, OptionalQueryId } from '../../../common/dto/fields';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

@ValidatorConstraint({ name: 'statusList' })
class StatusList implements ValidatorConstraintInterface {
  validate(v: unknown) {
    return typeof v === 'string' && v.split(',').every((s) => (HAZARD_STATUSES as readonly string[]).includes(s));
  }
  defaultMessage() {
    return '不是可选的状态';
  }
}

/** The note a transition carries (trimmed, at most LIMITS.noteMax), required or optional: the stacks written out, in their order. */
const RequiredNote = (): PropertyDecorator => applyDecorators(MaxLength(LIMITS.noteMax), IsNotEmpty(), IsString(), Transform(trim), ApiProperty());
const OptionalNote = (): PropertyDecorator => applyDecorators(MaxLength(LIMITS.noteMax), IsString(), Transform(trim), IsOptional(), ApiPropertyOptional());

export class CreateHazardDto implements CreateHazardRequest {
  @ApiProperty({ enum: HAZARD_CATEGORY_CODES })
  @IsIn(HAZARD_CATEGORY_CODES)
  category: HazardCategory;

  @ApiProperty({ maxLength: LIMITS.hazardDescriptionMax })
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(LIMITS.hazardDescriptionMax)
  description: string;

  @ApiPropertyOptional({ type: [Number], maxItems: LIMITS.hazardPhotosMax })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(LIMITS.hazardPhotosMax)
  @IsInt({ each: true })
  @Min(1, { each: true })
  photoIds?: number[];

  @ApiPropertyOptional()
  @IsOptional()
  @IsLatitude()
  lat?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsLongitude()
  lng?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(200)
  address?: string;

  @OptionalId({ min: 1 })
  orgId?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  anonymous?: boolean;

  @ApiPropertyOptional()
  @IsOptional()
  @Matches(PHONE_PATTERN, { message: '须为 11 位手机号' })
  contactPhone?: string;

  @OptionalOneOf(HAZARD_LEVELS)
  level?: HazardLevel;
}

export class HazardListQueryDto extends PageQueryDto implements HazardListQuery {
  @ApiPropertyOptional({ description: 'one state or several, comma separated' })
  @IsOptional()
  @Validate(StatusList)
  status?: string;

  @OptionalOneOf(HAZARD_CATEGORY_CODES)
  category?: HazardCategory;

  @OptionalQueryId({ min: 1 })
  orgId?: number;

  @OptionalOneOf(HAZARD_LEVELS)
  level?: HazardLevel;

  @ApiPropertyOptional()
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  overdue?: boolean;

  @ApiPropertyOptional()
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(50)
  q?: string;

  @ApiPropertyOptional({ description: 'YYYY-MM-DD or ISO time (reported on/after)' })
  @IsOptional()
  @IsISO8601()
  from?: string;

  @ApiPropertyOptional({ description: 'YYYY-MM-DD (inclusive) or ISO time' })
  @IsOptional()
  @IsISO8601()
  to?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  mine?: boolean;
}

export class MapQueryDto {
  @ApiProperty({ description: 'minLng,minLat,maxLng,maxLat' })
  @IsString()
  @Matches(/^-?\d+(\.\d+)?,-?\d+(\.\d+)?,-?\d+(\.\d+)?,-?\d+(\.\d+)?$/, { message: '格式不对（应为 最小经度,最小纬度,最大经度,最大纬度）' })
  bbox: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsIn(HAZARD_CATEGORY_CODES)
  category?: HazardCategory;
}

export class MonthlyQueryDto {
  @OptionalQueryId({ min: 1 })
  orgId?: number;

  @ApiProperty({ example: '2026-05' })
  @Matches(/^\d{4}-(0[1-9]|1[0-2])$/, { message: '须为年月（如 2026-05）' })
  month: string;
}

export class AssignHazardDto implements AssignHazardRequest {
  @ApiProperty()
  @IsInt()
  @Min(1)
  responsibleOrgId: number;

  @OptionalId({ min: 1 })
  responsibleUserId?: number;

  @ApiProperty({ description: 'YYYY-MM-DD (end of that day, China time) or ISO time' })
  @IsISO8601()
  @Label('整改期限')
  deadline: string;

  @OptionalOneOf(HAZARD_LEVELS)
  level?: HazardLevel;

  @OptionalNote()
  note?: string;
}

class PhotosDto {
  @ApiPropertyOptional({ type: [Number] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(LIMITS.hazardPhotosMax)
  @IsInt({ each: true })
  @Min(1, { each: true })
  photoIds?: number[];
}

export class RectifyHazardDto extends PhotosDto implements RectifyHazardRequest {
  @RequiredNote()
  note: string;
}

export class VerifyHazardDto extends PhotosDto implements VerifyHazardRequest {
  @ApiProperty()
  @IsBoolean()
  passed: boolean;

  @OptionalNote()
  note?: string;
}

export class RejectHazardDto implements RejectHazardRequest {
  @ApiProperty()
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(LIMITS.noteMax)
  @Label('退回原因')
  reason: string;

  @OptionalId({ min: 1 })
  duplicateOfId?: number;
}

export class EscalateHazardDto implements EscalateHazardRequest {
  @ApiProperty({ example: '青山县交通运输局' })
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(60)
  department: string;

  @RequiredNote()
  note: string;
}

export class AnswerHazardDto implements AnswerHazardRequest {
  @RequiredNote()
  note: string;
}

export class NoteDto extends PhotosDto implements NoteRequest {
  @RequiredNote()
  note: string;
}

/** `reopen`: the reporter or an officer says it is not fixed. */
export class ReopenHazardDto extends NoteDto {}

/** `start` takes an optional note. */
export class StartHazardDto extends PhotosDto {
  @OptionalNote()
  note?: string;
}

/** The reporter's answer to 修好了吗？ (a note is required when not fixed). */
export class ConfirmFixedDto extends PhotosDto implements ConfirmFixedRequest {
  @ApiProperty()
  @IsBoolean()
  fixed: boolean;

  @OptionalNote()
  note?: string;
}
