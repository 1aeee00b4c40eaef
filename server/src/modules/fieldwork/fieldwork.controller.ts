import { Body, Controller, Get, Param, Patch, Post, Put, Query, Type } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { FIELD_TYPE_PATHS, FieldType, MANAGING_ROLES, OFFICER_ROLES } from '@xiangan/shared';
import type { AuthUser } from '../../common/auth/auth-user';
import { CurrentUser, Roles } from '../../common/auth/decorators';
import { IdPipe } from '../../common/http/id.pipe';
import { Idempotent, IdempotencyKey } from '../../common/idempotency/idempotency.interceptor';
import { OrgScope, ScopedOrg } from '../../common/scope/org-scope.guard';
import { OrgUnit } from '../orgs/org-unit.entity';
import { CreateFieldRecordDto, FieldRecordQueryDto, UpdateFieldRecordDto } from './dto/field-record.dto';
import { FieldworkService } from './fieldwork.service';

/**
 * `/api/inspections`, `/api/enforcements`, `/api/drills`, `/api/activities`: the same five routes
 * over one table, each fixed to its record type.
 */
function fieldController(type: FieldType): Type<unknown> {
  @ApiTags('field work')
  @ApiBearerAuth()
  @Controller(FIELD_TYPE_PATHS[type])
  class FieldRecordsController {
    constructor(readonly svc: FieldworkService) {}

    @Post()
    @Roles(...MANAGING_ROLES)
    @Idempotent()
    @OrgScope({ in: 'body', field: 'orgId' })
    create(@CurrentUser() user: AuthUser, @Body() dto: CreateFieldRecordDto, @IdempotencyKey() key?: string, @ScopedOrg() org?: OrgUnit) {
      return this.svc.create(type, user, dto, key, org);
    }

    @Get()
    @Roles(...OFFICER_ROLES)
    @OrgScope({ in: 'query', field: 'orgId' })
    list(@CurrentUser() user: AuthUser, @Query() q: FieldRecordQueryDto, @ScopedOrg() org?: OrgUnit) {
      return this.svc.list(type, user, q, org);
    }

    @Get(':id')
    @Roles(...OFFICER_ROLES)
    get(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number) {
      return this.svc.get(type, user, id);
    }

    @Get(':id/revisions')
    @Roles(...OFFICER_ROLES)
    revisions(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number) {
      return this.svc.revisions(type, user, id);
    }

    /** PUT does what PATCH does (wx.request has no PATCH): the fields given are changed. */
    @Put(':id')
    @Roles(...MANAGING_ROLES)
    @OrgScope({ in: 'body', field: 'orgId' })
    replace(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number, @Body() dto: UpdateFieldRecordDto, @ScopedOrg() org?: OrgUnit) {
      return this.svc.update(type, user, id, dto, org);
    }

    @Patch(':id')
    @Roles(...MANAGING_ROLES)
    @OrgScope({ in: 'body', field: 'orgId' })
    update(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number, @Body() dto: UpdateFieldRecordDto, @ScopedOrg() org?: OrgUnit) {
      return this.svc.update(type, user, id, dto, org);
    }
  }
  Object.defineProperty(FieldRecordsController, 'name', { value: `${type[0].toUpperCase()}${type.slice(1)}RecordsController` });
  return FieldRecordsController;
}

export const FIELD_CONTROLLERS = (['inspection', 'enforcement', 'drill', 'activity'] as FieldType[]).map(fieldController);
