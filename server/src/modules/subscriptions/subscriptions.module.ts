import { UsersModule } from '../users/users.module';
import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SUBSCRIBE_PUSH } from '../notifications/notifications.service';
import { SubscriptionConsent } from './subscription-consent.entity';
import { SubscriptionsController } from './subscriptions.controller';
import { SubscriptionsService } from './subscriptions.service';

/** Subscribe-message consents; global so hazards and pledges can call SubscriptionsService.trySend. */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([SubscriptionConsent]), UsersModule],
  controllers: [SubscriptionsController],
  providers: [SubscriptionsService, { provide: SUBSCRIBE_PUSH, useExisting: SubscriptionsService }],
  exports: [SubscriptionsService, SUBSCRIBE_PUSH],
})
export class SubscriptionsModule {}
