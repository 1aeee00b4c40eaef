import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { IdPipe } from '../../common/http/id.pipe';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ROLES as ALL_ROLES } from '@xiangan/shared';
import type { AuthUser } from '../../common/auth/auth-user';
import { CurrentUser, Roles } from '../../common/auth/decorators';
import { CreateOrgUnitDto, HazardSettingsDto, LocateQueryDto, SetBoundaryDto, UpdateOrgUnitDto } from './dto/org.dto';
import { OrgsService } from './orgs.service';

@ApiTags('org')
@ApiBearerAuth()
@Controller('orgs')
export class OrgsController {
  constructor(private readonly orgs: OrgsService) {}

  @Get()
  @Roles(...ALL_ROLES)
  tree(@CurrentUser() user: AuthUser) {
    return this.orgs.tree(user);
  }

  /** The unit whose boundary holds a position (GCJ-02), and its village. */
  @Get('locate')
  @Roles(...ALL_ROLES)
  locate(@Query() q: LocateQueryDto) {
    return this.orgs.locate(q.lat, q.lng);
  }

  @Get(':id/boundary')
  @Roles(...ALL_ROLES)
  boundary(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number) {
    return this.orgs.getBoundary(user, id);
  }

  /** A village's / grid's boundary (GeoJSON), by an admin or the town officer over it. */
  @Put(':id/boundary')
  @Roles('admin', 'town_officer')
  setBoundary(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number, @Body() dto: SetBoundaryDto) {
    return this.orgs.setBoundary(user, id, dto);
  }

  @Delete(':id/boundary')
  @HttpCode(204)
  @Roles('admin', 'town_officer')
  clearBoundary(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number) {
    return this.orgs.clearBoundary(user, id);
  }

  /** A town's hazard settings (days overdue before reminders climb to the unit above). */
  @Put(':id/hazard-settings')
  @Roles('admin', 'town_officer')
  hazardSettings(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number, @Body() dto: HazardSettingsDto) {
    return this.orgs.setHazardSettings(user, id, dto);
  }

  @Get(':id')
  @Roles(...ALL_ROLES)
  get(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number) {
    return this.orgs.get(user, id);
  }

  @Post()
  @Roles('admin')
  create(@CurrentUser() user: AuthUser, @Body() dto: CreateOrgUnitDto) {
    return this.orgs.create(user, dto);
  }

  /** PUT for the mini-program (wx.request has no PATCH); same as PATCH. */
  @Put(':id')
  @Roles('admin')
  replace(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number, @Body() dto: UpdateOrgUnitDto) {
    return this.orgs.update(user, id, dto);
  }

  @Patch(':id')
  @Roles('admin')
  update(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number, @Body() dto: UpdateOrgUnitDto) {
    return this.orgs.update(user, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @Roles('admin')
  archive(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number) {
    return this.orgs.archive(user, id);
  }
}
