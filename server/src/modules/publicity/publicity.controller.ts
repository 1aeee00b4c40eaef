import { Body, Controller, Get, HttpCode, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { beijingYear, MANAGING_ROLES, OFFICER_ROLES, ROLES as ALL_ROLES } from '@xiangan/shared';
import type { AuthUser } from '../../common/auth/auth-user';
import { CurrentUser, Roles } from '../../common/auth/decorators';
import { ReplicaRead } from '../../common/db/read-router';
import { IdPipe } from '../../common/http/id.pipe';
import { PageQueryDto } from '../../common/http/page-query.dto';
import { Idempotent, IdempotencyKey } from '../../common/idempotency/idempotency.interceptor';
import { campaignCalendar } from './calendar';
import {
  CalendarQueryDto,
  CreateMessageDto,
  MessageListQueryDto,
  PublishMessageDto,
  RemindUnitsDto,
  MessageStatsQueryDto,
  UpdateMessageDto,
} from './dto/publicity.dto';
import { FeedService } from './feed.service';
import { PublicityService } from './publicity.service';
import { ReachService } from './reach.service';

@ApiTags('publicity')
@ApiBearerAuth()
@Controller()
export class PublicityController {
  constructor(
    private readonly publicity: PublicityService,
    private readonly feedSvc: FeedService,
    private readonly reach: ReachService,
  ) {}

  @Post('messages')
  @Idempotent()
  @Roles(...MANAGING_ROLES)
  create(@CurrentUser() user: AuthUser, @Body() dto: CreateMessageDto, @IdempotencyKey() key?: string) {
    return this.publicity.create(user, dto, key);
  }

  @Get('messages')
  @Roles(...OFFICER_ROLES)
  list(@CurrentUser() user: AuthUser, @Query() q: MessageListQueryDto) {
    return this.publicity.list(user, q);
  }

  @Get('messages/:id')
  @Roles(...OFFICER_ROLES)
  get(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number) {
    return this.publicity.get(user, id);
  }

  @Patch('messages/:id')
  @Roles(...MANAGING_ROLES)
  update(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number, @Body() dto: UpdateMessageDto) {
    return this.publicity.update(user, id, dto);
  }

  /** The same as PATCH: `wx.request` has no PATCH method, so the mini-program sends PUT (PATCH stays for other clients). */
  @Put('messages/:id')
  @Roles(...MANAGING_ROLES)
  updateByPut(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number, @Body() dto: UpdateMessageDto) {
    return this.publicity.update(user, id, dto);
  }

  @Post('messages/:id/publish')
  @HttpCode(200)
  @Idempotent()
  @Roles(...MANAGING_ROLES)
  publish(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number, @Body() dto: PublishMessageDto) {
    return this.publicity.publish(user, id, dto);
  }

  @Post('messages/:id/withdraw')
  @HttpCode(200)
  @Roles(...MANAGING_ROLES)
  withdraw(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number) {
    return this.publicity.withdraw(user, id);
  }

  @Get('messages/:id/preview')
  @Roles(...OFFICER_ROLES)
  preview(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number) {
    return this.publicity.preview(user, id);
  }

  @Get('messages/:id/stats')
  @Roles(...OFFICER_ROLES)
  stats(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number, @Query() q: MessageStatsQueryDto) {
    return this.reach.stats(user, id, q.orgId);
  }

  @Post('messages/:id/remind-units')
  @HttpCode(200)
  @Idempotent()
  @Roles(...MANAGING_ROLES)
  remind(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number, @Body() dto: RemindUnitsDto) {
    return this.reach.remind(user, id, dto.orgIds);
  }

  @Post('messages/:id/read')
  @HttpCode(200)
  @Roles(...ALL_ROLES)
  read(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number) {
    return this.feedSvc.mark(user, id, 'read');
  }

  @Post('messages/:id/ack')
  @HttpCode(200)
  @Roles(...ALL_ROLES)
  ack(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number) {
    return this.feedSvc.mark(user, id, 'ack');
  }

  @Get('feed')
  @Roles(...ALL_ROLES)
  @ReplicaRead()
  feed(@CurrentUser() user: AuthUser, @Query() q: PageQueryDto) {
    return this.feedSvc.feed(user, q);
  }

  @Get('feed/unread-count')
  @Roles(...ALL_ROLES)
  unread(@CurrentUser() user: AuthUser) {
    return this.feedSvc.unreadCount(user);
  }

  /** A message opened from the feed (or a subscribe message): only for its audience, else 404. */
  @Get('feed/:id')
  @Roles(...ALL_ROLES)
  open(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number) {
    return this.feedSvc.open(user, id);
  }

  @Get('publicity/calendar')
  @Roles(...OFFICER_ROLES)
  calendar(@Query() q: CalendarQueryDto) {
    return campaignCalendar(q.year ?? beijingYear(Date.now()));
  }
}
