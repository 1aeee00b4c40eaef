import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ROLES as ALL_ROLES } from '@xiangan/shared';
import type { AuthUser } from '../../common/auth/auth-user';
import { CurrentUser, Roles } from '../../common/auth/decorators';
import { SubscribeDto } from './dto/subscriptions.dto';
import { SubscriptionsService } from './subscriptions.service';

@ApiTags('publicity')
@ApiBearerAuth()
@Controller('subscriptions')
export class SubscriptionsController {
  constructor(private readonly subs: SubscriptionsService) {}

  /** The templates the mini-program may ask for, and the caller's consents left. */
  @Get()
  @Roles(...ALL_ROLES)
  mine(@CurrentUser() user: AuthUser) {
    return this.subs.mine(user);
  }

  @Post()
  @HttpCode(200)
  @Roles(...ALL_ROLES)
  record(@CurrentUser() user: AuthUser, @Body() dto: SubscribeDto) {
    return this.subs.record(user, dto);
  }
}
