import { Body, Controller, Get, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBody, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../../common/auth/decorators';
import { WechatPushService } from './wechat-push.service';

/** Text answers on success only (a `@Header` would also label the JSON error bodies text/plain). */
function plain(res: FastifyReply, text: string): string {
  res.type('text/plain; charset=utf-8');
  return text;
}

/**
 * WeChat's 消息推送 URL (mini-program console → 开发管理 → 消息推送: `<PUBLIC_BASE_URL>/api/wechat/push`,
 * data format JSON, safe mode). Public: WeChat's signature with WECHAT_PUSH_TOKEN is the authentication;
 * 404 when the token is not configured. Query parameters are read as a plain object, not a DTO, so a
 * parameter WeChat adds later (it already sends `openid` in safe mode) is not refused.
 */
@ApiTags('wechat')
@Controller('wechat/push')
@Public()
// Neither per-address limit: every push comes from a few WeChat addresses, a busy upload hour must not 429 them
// (WeChat gives up after its retries), and a forged push costs one SHA-1 before its 401.
@SkipThrottle({ default: true, writes: true })
export class WechatPushController {
  constructor(private readonly push: WechatPushService) {}

  @Get()
  @ApiProduces('text/plain')
  @ApiQuery({ name: 'signature', required: true })
  @ApiQuery({ name: 'timestamp', required: true })
  @ApiQuery({ name: 'nonce', required: true })
  @ApiQuery({ name: 'echostr', required: true })
  verify(@Query() q: Record<string, unknown>, @Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply): string {
    return plain(res, this.push.verifyUrl(q, req.ip ?? '?'));
  }

  @Post()
  @HttpCode(200)
  @ApiProduces('text/plain')
  @ApiQuery({ name: 'timestamp', required: true })
  @ApiQuery({ name: 'nonce', required: true })
  @ApiQuery({ name: 'signature', required: false, description: 'plain mode' })
  @ApiQuery({ name: 'encrypt_type', required: false, description: '`aes` in safe mode' })
  @ApiQuery({ name: 'msg_signature', required: false, description: 'safe mode: sha1 over token, timestamp, nonce, Encrypt' })
  @ApiBody({ schema: { type: 'object', description: 'plain mode: the message; safe mode: { ToUserName, Encrypt }' } })
  async receive(
    @Query() q: Record<string, unknown>,
    @Body() body: unknown,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<string> {
    return plain(res, await this.push.receive(q, body, req.ip ?? '?'));
  }
}
