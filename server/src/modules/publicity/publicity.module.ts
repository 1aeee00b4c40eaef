import { UsersModule } from '../users/users.module';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DeliveryService } from './delivery.service';
import { FeedService } from './feed.service';
import { Message, MessageAudience, MessageDelivery, MessageReceipt, MessageReminder } from './message.entity';
import { PublicityController } from './publicity.controller';
import { PublicityService } from './publicity.service';
import { ReachService } from './reach.service';
import { PublicityStatsSource } from './publicity.stats';
import { MessageView } from './message-view';

/** 宣传推送: compose, schedule, feed, reach, subscribe-message fan-out. */
@Module({
  imports: [TypeOrmModule.forFeature([Message, MessageAudience, MessageReceipt, MessageDelivery, MessageReminder]), UsersModule],
  controllers: [PublicityController],
  providers: [PublicityService, MessageView, FeedService, ReachService, DeliveryService, PublicityStatsSource],
  exports: [PublicityService, FeedService, PublicityStatsSource],
})
export class PublicityModule {}
