import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put } from '@nestjs/common';
import { IdPipe } from '../../common/http/id.pipe';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ROLES as ALL_ROLES } from '@xiangan/shared';
import type { AuthUser } from '../../common/auth/auth-user';
import { CurrentUser, Roles } from '../../common/auth/decorators';
import { CreateOrgUnitDto, UpdateOrgUnitDto } from './dto/org.dto';
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

  @Patch(':id')
  @Roles('admin')
  update(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number, @Body() dto: UpdateOrgUnitDto) {
    return this.orgs.update(user, id, dto);
  }

  /** The same as PATCH: `wx.request` has no PATCH method, so the mini-program sends PUT (PATCH stays for other clients). */
  @Put(':id')
  @Roles('admin')
  updateByPut(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number, @Body() dto: UpdateOrgUnitDto) {
    return this.orgs.update(user, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @Roles('admin')
  archive(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number) {
    return this.orgs.archive(user, id);
  }
}
