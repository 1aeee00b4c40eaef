import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  CreateFieldRecordRequest,
  FIELD_LIMITS,
  FieldFinding,
  FieldRecordDto,
  FieldRecordQuery,
  FieldType,
  FieldUnitRef,
  HAZARD_CATEGORY_CODES,
  HAZARD_CATEGORY_LABELS,
  HazardCategory,
  kindLabel,
  UpdateFieldRecordRequest,
} from '@xiangan/shared';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsObject, IsOptional, IsPositive, IsString, Matches, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { PageQueryDto } from '../../../common/http/page-query.dto';
import type { FieldRecord } from '../field-record.entity';
import { Label } from '../../../common/http/field-labels';
import { DAY_PATTERN, OptionalDay, OptionalId, OptionalOneOf, OptionalQueryId } from '../../../common/dto/fields';

export class FieldUnitRefDto implements FieldUnitRef {
  @OptionalId()
  orgId?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  @Label('单位名称')
  name?: string;
}

export class FieldFindingDto implements FieldFinding {
  @ApiProperty({ enum: HAZARD_CATEGORY_CODES })
  @IsIn(HAZARD_CATEGORY_CODES)
  category: HazardCategory;

  @ApiProperty()
  @IsString()
  @MinLength(2)
  @MaxLength(1000)
  description: string;

  @ApiPropertyOptional({ enum: ['general', 'major'] })
  @IsOptional()
  @IsIn(['general', 'major'])
  level?: 'general' | 'major';

  @OptionalId()
  orgId?: number;
}

class FieldRecordFieldsDto {
  @ApiPropertyOptional({ example: '2026-04-20' })
  @IsOptional()
  @Matches(DAY_PATTERN, { message: '须为日期（如 2026-05-01）' })
  date?: string;

  @OptionalId()
  orgId?: number;

  @OptionalOneOf(HAZARD_CATEGORY_CODES)
  sector?: HazardCategory;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(FIELD_LIMITS.campaignMax)
  campaign?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(FIELD_LIMITS.titleMax)
  title?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'number' } })
  @IsOptional()
  @IsObject()
  metrics?: Record<string, number>;

  @ApiPropertyOptional({ type: [FieldUnitRefDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(FIELD_LIMITS.unitsMax)
  @ValidateNested({ each: true })
  @Type(() => FieldUnitRefDto)
  units?: FieldUnitRefDto[];

  @ApiPropertyOptional({ type: [Number] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(500)
  @IsInt({ each: true })
  @IsPositive({ each: true })
  hazardIds?: number[];

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(FIELD_LIMITS.partyMax)
  party?: string;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @IsString({ each: true })
  @MaxLength(32, { each: true })
  tags?: string[];

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(FIELD_LIMITS.notesMax)
  notes?: string;
}

export class UpdateFieldRecordDto extends FieldRecordFieldsDto implements UpdateFieldRecordRequest {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(32)
  kind?: string;
}

export class CreateFieldRecordDto extends FieldRecordFieldsDto implements CreateFieldRecordRequest {
  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(32)
  kind: string;

  @ApiPropertyOptional({ type: [FieldFindingDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(FIELD_LIMITS.findingsMax)
  @ValidateNested({ each: true })
  @Type(() => FieldFindingDto)
  findings?: FieldFindingDto[];
}

export class FieldRecordQueryDto extends PageQueryDto implements FieldRecordQuery {
  @OptionalQueryId()
  orgId?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(32)
  kind?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsIn(HAZARD_CATEGORY_CODES)
  sector?: string;

  @OptionalDay()
  from?: string;

  @OptionalDay()
  to?: string;
}

export function mapFieldRecord(r: FieldRecord, names: { org: Map<number, string>; user: Map<number, string> }): FieldRecordDto {
  const units = r.units ?? [];
  return {
    id: r.id,
    type: r.type as FieldType,
    kind: r.kind,
    kindLabel: kindLabel(r.type, r.kind),
    date: r.date,
    orgId: r.orgId,
    orgName: names.org.get(r.orgId) ?? null,
    sector: (r.sector as HazardCategory) ?? null,
    sectorLabel: r.sector ? (HAZARD_CATEGORY_LABELS[r.sector as HazardCategory] ?? r.sector) : null,
    campaign: r.campaign,
    title: r.title,
    metrics: r.metrics ?? {},
    units,
    unitNames: units.map((u) => u.name ?? (u.orgId ? (names.org.get(u.orgId) ?? `#${u.orgId}`) : '')).filter(Boolean),
    hazardIds: r.hazardIds ?? [],
    party: r.party,
    tags: r.tags ?? [],
    notes: r.notes,
    createdById: r.createdById,
    createdByName: names.user.get(r.createdById) ?? null,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
    revisions: r.revisionCount,
  };
}
