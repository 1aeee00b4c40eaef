import { Module } from '@nestjs/common';
import { WechatPushController } from './wechat-push.controller';
import { WechatPushService } from './wechat-push.service';

/** WeChat's push arrives as JSON or, with any other Content-Type, as text (up to this size; see `createApp`'s body parsers). */
export const WECHAT_PUSH_TEXT_LIMIT = 256 * 1024;

/** WeChat's message push (消息推送). Apart from WechatModule so the WeChat client does not depend on media. */
@Module({ controllers: [WechatPushController], providers: [WechatPushService] })
export class WechatPushModule {}
