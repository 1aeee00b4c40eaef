import { Body, Controller, Get, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../../common/auth/auth-user';
import { CurrentUser, Roles } from '../../common/auth/decorators';
import { IdPipe } from '../../common/http/id.pipe';
import { CreateUserDto, UpdateUserDto, UserListQueryDto } from './dto/user.dto';
import { UsersService } from './users.service';

@ApiTags('org')
@ApiBearerAuth()
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  /** Officers list people in their subtree (e.g. whom to assign a hazard to); admins manage accounts. */
  @Get()
  @Roles('grid_officer', 'village_officer', 'town_officer', 'department_officer', 'county_officer', 'admin')
  list(@CurrentUser() user: AuthUser, @Query() q: UserListQueryDto) {
    return this.users.list(user, q);
  }

  @Post()
  @Roles('admin')
  create(@CurrentUser() user: AuthUser, @Body() dto: CreateUserDto) {
    return this.users.create(user, dto);
  }

  @Patch(':id')
  @Roles('admin')
  update(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number, @Body() dto: UpdateUserDto) {
    return this.users.update(user, id, dto);
  }

  /** The same as PATCH: `wx.request` has no PATCH method, so the mini-program sends PUT (PATCH stays for other clients). */
  @Put(':id')
  @Roles('admin')
  updateByPut(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number, @Body() dto: UpdateUserDto) {
    return this.users.update(user, id, dto);
  }
}
