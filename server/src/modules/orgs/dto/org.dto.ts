import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  HAZARD_OVERDUE_CLIMB_DAYS_MAX,
  HazardSettingsRequest,
  SetBoundaryRequest,
  CreateOrgUnitRequest,
  ORG_TYPES,
  OrgType,
  OrgUnitDto,
  UpdateOrgUnitRequest,
} from '@xiangan/shared';
import { Type } from 'class-transformer';
import { Allow, IsDefined, IsIn, IsInt, IsLatitude, IsLongitude, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import type { OrgUnit } from '../org-unit.entity';
import { Label } from '../../../common/http/field-labels';
import { OptionalFields } from '../../../common/dto/mapped-dto';

export class CreateOrgUnitDto implements CreateOrgUnitRequest {
  @ApiProperty()
  @IsInt()
  @Min(1)
  parentId: number;

  @ApiProperty({ enum: ORG_TYPES })
  @IsIn(ORG_TYPES as unknown as string[])
  @Label('单位类型')
  type: OrgType;

  @ApiProperty()
  @IsString()
  @Length(1, 100)
  @Label('单位名称')
  name: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 32)
  @Label('单位代码')
  code?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsInt()
  @Min(0)
  population?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsLatitude()
  lat?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsLongitude()
  lng?: number;
}

/** What an admin may change on a unit: the create form's fields but its place (parent, type), each optional. */
export class UpdateOrgUnitDto extends OptionalFields(CreateOrgUnitDto, ['name', 'code', 'population', 'lat', 'lng']) implements UpdateOrgUnitRequest {}

export function mapOrgUnit(o: OrgUnit): OrgUnitDto {
  return {
    id: o.id,
    parentId: o.parentId,
    type: o.type,
    name: o.name,
    path: o.path,
    code: o.code,
    population: o.population,
    lat: o.lat,
    lng: o.lng,
    hasBoundary: o.minLat != null,
    overdueClimbDays: o.overdueClimbDays ?? null,
  };
}

export class SetBoundaryDto implements SetBoundaryRequest {
  @ApiProperty({ description: 'GeoJSON Polygon or MultiPolygon (or a Feature holding one), positions [lng, lat] in GCJ-02' })
  @Allow()
  boundary: unknown;
}

export class HazardSettingsDto implements HazardSettingsRequest {
  @ApiProperty({ minimum: 1, maximum: HAZARD_OVERDUE_CLIMB_DAYS_MAX })
  @IsInt()
  @Min(1)
  @Max(HAZARD_OVERDUE_CLIMB_DAYS_MAX)
  overdueClimbDays: number;
}

export class LocateQueryDto {
  @ApiProperty()
  @Type(() => Number)
  @IsDefined()
  @IsLatitude()
  lat: number;

  @ApiProperty()
  @Type(() => Number)
  @IsDefined()
  @IsLongitude()
  lng: number;
}
