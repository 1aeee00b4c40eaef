import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ROLES } from '@xiangan/shared';
import type { AuthUser } from '../../common/auth/auth-user';
import { CurrentUser, Roles } from '../../common/auth/decorators';
import { IdPipe } from '../../common/http/id.pipe';
import { PageQueryDto } from '../../common/http/page-query.dto';
import { NotificationsService } from './notifications.service';

@ApiTags('notifications')
@ApiBearerAuth()
@Controller('notifications')
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Get()
  @Roles(...ROLES)
  list(@CurrentUser() user: AuthUser, @Query() q: PageQueryDto) {
    return this.notifications.list(user.id, q);
  }

  @Post('read-all')
  @HttpCode(200)
  @Roles(...ROLES)
  readAll(@CurrentUser() user: AuthUser) {
    return this.notifications.markAllRead(user.id);
  }

  @Post(':id/read')
  @HttpCode(200)
  @Roles(...ROLES)
  read(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number) {
    return this.notifications.markRead(user.id, id);
  }
}
