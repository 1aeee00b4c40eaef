import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  HAZARD_CATEGORY_CODES,
  INCIDENT_KINDS,
  IncidentKind,
  IncidentQuery,
  IncidentRequest,
  PHONE_PATTERN,
  REGISTER_LIMITS as L,
  RESERVOIR_SIZES,
  ReservoirSize,
  RISK_SITE_KINDS,
  RiskSiteKind,
  RiskSiteQuery,
  RiskSiteRequest,
  SitePatrolRequest,
} from '@xiangan/shared';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsLatitude,
  IsLongitude,
  IsNumber,
  IsOptional,
  IsPositive,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { PageQueryDto, toBool } from '../../../common/http/page-query.dto';
import { Label } from '../../../common/http/field-labels';
import { DAY_PATTERN, OptionalDay, OptionalId, OptionalOneOf, OptionalQueryId } from '../../../common/dto/fields';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class RiskSiteDtoIn implements RiskSiteRequest {
  @OptionalId()
  orgId?: number;

  @ApiProperty({ enum: RISK_SITE_KINDS })
  @IsIn(RISK_SITE_KINDS)
  kind: RiskSiteKind;

  @ApiProperty({ maxLength: L.nameMax })
  @Transform(trim)
  @IsString()
  @MinLength(2)
  @MaxLength(L.nameMax)
  @Label('风险点名称')
  name: string;

  @ApiPropertyOptional({ maxLength: L.addressMax })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(L.addressMax)
  address?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsLatitude()
  lat?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsLongitude()
  lng?: number;

  @OptionalOneOf(RESERVOIR_SIZES)
  sizeClass?: ReservoirSize;

  @ApiPropertyOptional({ maxLength: L.personMax })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(L.personMax)
  responsibleName?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Matches(PHONE_PATTERN, { message: '须为 11 位手机号' })
  responsiblePhone?: string;

  @ApiPropertyOptional({ maximum: L.signsMax })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(L.signsMax)
  warningSigns?: number;

  @OptionalId()
  enterpriseOrgId?: number;

  @ApiPropertyOptional({ maxLength: L.notesMax })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(L.notesMax)
  notes?: string;
}

export class RiskSiteQueryDto extends PageQueryDto implements RiskSiteQuery {
  @OptionalQueryId()
  orgId?: number;

  @OptionalOneOf(RISK_SITE_KINDS)
  kind?: RiskSiteKind;

  @ApiPropertyOptional()
  @IsOptional()
  @Transform(toBool)
  archived?: boolean;
}

export class PatrolFindingDto {
  @ApiProperty({ enum: HAZARD_CATEGORY_CODES })
  @IsIn(HAZARD_CATEGORY_CODES)
  category: string;

  @ApiProperty()
  @Transform(trim)
  @IsString()
  @MinLength(2)
  @MaxLength(1000)
  description: string;
}

export class SitePatrolDtoIn implements SitePatrolRequest {
  @ApiPropertyOptional({ example: '2026-06-20' })
  @IsOptional()
  @Matches(DAY_PATTERN, { message: '须为日期（如 2026-05-01）' })
  date?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 100 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  inspectors?: number;

  @ApiPropertyOptional({ maximum: L.signsMax })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(L.signsMax)
  warningSigns?: number;

  @ApiPropertyOptional({ type: [PatrolFindingDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => PatrolFindingDto)
  findings?: PatrolFindingDto[];

  @ApiPropertyOptional({ type: [Number] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(L.hazardIdsMax)
  @IsInt({ each: true })
  @IsPositive({ each: true })
  hazardIds?: number[];

  @ApiPropertyOptional({ maxLength: L.notesMax })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(L.notesMax)
  notes?: string;
}

export class SitePatrolQueryDto extends PageQueryDto {
  @OptionalQueryId()
  orgId?: number;

  @OptionalQueryId()
  siteId?: number;

  @OptionalDay()
  from?: string;

  @OptionalDay()
  to?: string;
}

export class IncidentDtoIn implements IncidentRequest {
  @OptionalId()
  orgId?: number;

  @ApiProperty({ enum: INCIDENT_KINDS })
  @IsIn(INCIDENT_KINDS)
  kind: IncidentKind;

  @ApiProperty({ example: '2026-06-20' })
  @Matches(DAY_PATTERN, { message: '须为日期（如 2026-05-01）' })
  date: string;

  @ApiProperty({ maxLength: L.nameMax })
  @Transform(trim)
  @IsString()
  @MinLength(2)
  @MaxLength(L.nameMax)
  title: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10000)
  deaths?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10000)
  injuries?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsNumber({ maxDecimalPlaces: 2 })
  @Min(0)
  @Max(1e10)
  loss?: number;

  @OptionalId()
  siteId?: number;

  @ApiPropertyOptional({ maxLength: L.descriptionMax })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(L.descriptionMax)
  description?: string;
}

export class IncidentQueryDto extends PageQueryDto implements IncidentQuery {
  @OptionalQueryId()
  orgId?: number;

  @OptionalOneOf(INCIDENT_KINDS)
  kind?: IncidentKind;

  @OptionalDay()
  from?: string;

  @OptionalDay()
  to?: string;
}
