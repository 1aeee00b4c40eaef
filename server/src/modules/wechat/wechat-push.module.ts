import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import express from 'express';
import { WechatPushController } from './wechat-push.controller';
import { WechatPushService } from './wechat-push.service';

/** WeChat's message push (消息推送). Apart from WechatModule so the WeChat client does not depend on media. */
@Module({ controllers: [WechatPushController], providers: [WechatPushService] })
export class WechatPushModule implements NestModule {
  configure(consumer: MiddlewareConsumer) {
    // express.json (app-wide) parses `application/json`; any other Content-Type arrives here as text.
    consumer.apply(express.text({ type: () => true, limit: '256kb' })).forRoutes({ path: 'wechat/push', method: RequestMethod.POST });
  }
}
