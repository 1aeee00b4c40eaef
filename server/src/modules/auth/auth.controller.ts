import { Body, Controller, Get, HttpCode, Patch, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Throttle } from '@nestjs/throttler';
import { ROLES } from '@xiangan/shared';
import type { AuthUser } from '../../common/auth/auth-user';
import { CurrentUser, Public, Roles } from '../../common/auth/decorators';
import { AuthService } from './auth.service';
import { DevLoginDto, UpdateMeDto, WechatLoginDto } from './dto/auth.dto';

@ApiTags('auth')
@Controller()
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('auth/wechat')
  @Public()
  @HttpCode(200)
  @Throttle({ default: { limit: 30, ttl: 60_000 } })
  wechat(@Body() dto: WechatLoginDto) {
    return this.auth.wechatLogin(dto.code);
  }

  @Post('auth/dev')
  @Public()
  @HttpCode(200)
  dev(@Body() dto: DevLoginDto) {
    return this.auth.devLogin(dto);
  }

  @Get('auth/dev/accounts')
  @Public()
  devAccounts() {
    return this.auth.devAccounts();
  }

  @Get('me')
  @ApiBearerAuth()
  @Roles(...ROLES)
  me(@CurrentUser() user: AuthUser) {
    return this.auth.me(user);
  }

  @Patch('me')
  @ApiBearerAuth()
  @Roles(...ROLES)
  updateMe(@CurrentUser() user: AuthUser, @Body() dto: UpdateMeDto) {
    return this.auth.updateMe(user, dto);
  }

  /** The same as PATCH: `wx.request` has no PATCH method, so the mini-program sends PUT (PATCH stays for other clients). */
  @Put('me')
  @ApiBearerAuth()
  @Roles(...ROLES)
  updateMeByPut(@CurrentUser() user: AuthUser, @Body() dto: UpdateMeDto) {
    return this.auth.updateMe(user, dto);
  }
}
