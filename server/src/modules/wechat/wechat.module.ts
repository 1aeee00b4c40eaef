import { Global, Module } from '@nestjs/common';
import { ContentSecurityService } from './content-security.service';
import { WechatClient } from './wechat.client';

@Global()
@Module({ providers: [WechatClient, ContentSecurityService], exports: [WechatClient, ContentSecurityService] })
export class WechatModule {}
