import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { MANAGING_ROLES, OFFICER_ROLES } from '@xiangan/shared';
import type { AuthUser } from '../../common/auth/auth-user';
import { CurrentUser, Roles } from '../../common/auth/decorators';
import { IdPipe } from '../../common/http/id.pipe';
import { Idempotent, IdempotencyKey } from '../../common/idempotency/idempotency.interceptor';
import { OrgScope, ScopedOrg } from '../../common/scope/org-scope.guard';
import { OrgUnit } from '../orgs/org-unit.entity';
import { IncidentDtoIn, IncidentQueryDto, RiskSiteDtoIn, RiskSiteQueryDto, SitePatrolDtoIn, SitePatrolQueryDto } from './dto/registers.dto';
import { RegistersService } from './registers.service';

@ApiTags('registers')
@ApiBearerAuth()
@Controller('risk-sites')
export class RiskSitesController {
  constructor(private readonly svc: RegistersService) {}

  @Post()
  @Roles(...MANAGING_ROLES)
  @OrgScope({ in: 'body', field: 'orgId' })
  create(@CurrentUser() user: AuthUser, @Body() dto: RiskSiteDtoIn, @ScopedOrg() org?: OrgUnit) {
    return this.svc.createSite(user, dto, org);
  }

  @Get()
  @Roles(...OFFICER_ROLES)
  @OrgScope({ in: 'query', field: 'orgId' })
  list(@CurrentUser() user: AuthUser, @Query() q: RiskSiteQueryDto, @ScopedOrg() org?: OrgUnit) {
    return this.svc.listSites(user, q, org);
  }

  @Get(':id')
  @Roles(...OFFICER_ROLES)
  get(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number) {
    return this.svc.getSite(user, id);
  }

  @Put(':id')
  @Roles(...MANAGING_ROLES)
  @OrgScope({ in: 'body', field: 'orgId' })
  update(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number, @Body() dto: RiskSiteDtoIn, @ScopedOrg() org?: OrgUnit) {
    return this.svc.updateSite(user, id, dto, org);
  }

  @Delete(':id')
  @Roles(...MANAGING_ROLES)
  archive(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number) {
    return this.svc.archiveSite(user, id);
  }

  @Post(':id/patrols')
  @Roles(...MANAGING_ROLES)
  @Idempotent()
  patrol(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number, @Body() dto: SitePatrolDtoIn, @IdempotencyKey() key?: string) {
    return this.svc.createPatrol(user, id, dto, key);
  }
}

@ApiTags('registers')
@ApiBearerAuth()
@Controller('site-patrols')
export class SitePatrolsController {
  constructor(private readonly svc: RegistersService) {}

  @Get()
  @Roles(...OFFICER_ROLES)
  @OrgScope({ in: 'query', field: 'orgId' })
  list(@CurrentUser() user: AuthUser, @Query() q: SitePatrolQueryDto, @ScopedOrg() org?: OrgUnit) {
    return this.svc.listPatrols(user, q, org);
  }
}

@ApiTags('registers')
@ApiBearerAuth()
@Controller('incidents')
export class IncidentsController {
  constructor(private readonly svc: RegistersService) {}

  @Post()
  @Roles(...MANAGING_ROLES)
  @OrgScope({ in: 'body', field: 'orgId' })
  create(@CurrentUser() user: AuthUser, @Body() dto: IncidentDtoIn, @ScopedOrg() org?: OrgUnit) {
    return this.svc.createIncident(user, dto, org);
  }

  @Get()
  @Roles(...OFFICER_ROLES)
  @OrgScope({ in: 'query', field: 'orgId' })
  list(@CurrentUser() user: AuthUser, @Query() q: IncidentQueryDto, @ScopedOrg() org?: OrgUnit) {
    return this.svc.listIncidents(user, q, org);
  }

  @Get(':id')
  @Roles(...OFFICER_ROLES)
  get(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number) {
    return this.svc.getIncident(user, id);
  }

  @Put(':id')
  @Roles(...MANAGING_ROLES)
  @OrgScope({ in: 'body', field: 'orgId' })
  update(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number, @Body() dto: IncidentDtoIn, @ScopedOrg() org?: OrgUnit) {
    return this.svc.updateIncident(user, id, dto, org);
  }

  @Delete(':id')
  @Roles(...MANAGING_ROLES)
  @HttpCode(204)
  remove(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number) {
    return this.svc.deleteIncident(user, id);
  }
}
