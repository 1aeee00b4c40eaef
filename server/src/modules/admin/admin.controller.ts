import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, Res, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileUpload } from '../../common/upload/file-upload.interceptor';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import { ADMIN_LIMITS, ROLES as ALL_ROLES } from '@xiangan/shared';
import type { FastifyReply } from 'fastify';
import type { AuthUser } from '../../common/auth/auth-user';
import { CurrentUser, Public, Roles } from '../../common/auth/decorators';
import { IdPipe } from '../../common/http/id.pipe';
import {
  AcceptInvitationDto,
  CreateInvitationDto,
  HandoverDto,
  InvitationListQueryDto,
  PeopleQueryDto,
  UnitImportQueryDto,
  UpdatePersonDto,
} from './dto/admin.dto';
import { InvitationsService } from './invitations.service';
import { PeopleService } from './people.service';
import { UnitImportService } from './unit-import.service';
import { FILE_TYPES, sendDownload } from '../../common/http/download';

@ApiTags('admin')
@Controller('unit-import')
export class UnitImportController {
  constructor(private readonly units: UnitImportService) {}

  /** The spreadsheet template (no personal data: anyone may download it). */
  @Get('template')
  @Public()
  async template(@Res() res: FastifyReply) {
    const buf = await this.units.template();
    sendDownload(res, { type: FILE_TYPES.xlsx, filename: '单位导入模板.xlsx', fallback: 'units-template.xlsx', personal: false }, buf);
  }

  /** multipart `file` (.xlsx). `?dryRun=true`: check and preview only. Without it: apply in one transaction (400 naming each bad row). */
  @Post()
  @HttpCode(200)
  @ApiBearerAuth()
  @Roles('admin')
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } } } })
  @UseInterceptors(FileUpload({ what: '单位表', maxBytes: ADMIN_LIMITS.unitImportMaxBytes }))
  run(@CurrentUser() user: AuthUser, @Query() q: UnitImportQueryDto, @UploadedFile() file: Express.Multer.File | undefined) {
    return this.units.run(user, file, !!q.dryRun);
  }
}

@ApiTags('admin')
@Controller('invitations')
export class InvitationsController {
  constructor(private readonly invitations: InvitationsService) {}

  @Post()
  @ApiBearerAuth()
  @Roles('admin', 'town_officer')
  create(@CurrentUser() user: AuthUser, @Body() dto: CreateInvitationDto) {
    return this.invitations.create(user, dto);
  }

  @Get()
  @ApiBearerAuth()
  @Roles('admin', 'town_officer')
  list(@CurrentUser() user: AuthUser, @Query() q: InvitationListQueryDto) {
    return this.invitations.list(user, q);
  }

  /** The invite page before login: which role and unit (the code is the secret). */
  @Get('code/:code')
  @Public()
  preview(@Param('code') code: string) {
    return this.invitations.preview(String(code).slice(0, 32));
  }

  /** The signed-in caller takes the invitation's role and unit. */
  @Post('accept')
  @HttpCode(200)
  @ApiBearerAuth()
  @Roles(...ALL_ROLES)
  accept(@CurrentUser() user: AuthUser, @Body() dto: AcceptInvitationDto) {
    return this.invitations.accept(user, dto);
  }

  @Get(':id')
  @ApiBearerAuth()
  @Roles('admin', 'town_officer')
  get(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number) {
    return this.invitations.get(user, id);
  }

  @Post(':id/revoke')
  @HttpCode(200)
  @ApiBearerAuth()
  @Roles('admin', 'town_officer')
  revoke(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number) {
    return this.invitations.revoke(user, id);
  }

  @Get(':id/qrcode')
  @ApiBearerAuth()
  @Roles('admin', 'town_officer')
  async qrcode(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number, @Res() res: FastifyReply) {
    const { png, kind } = await this.invitations.qrcode(user, id);
    res.header('Content-Type', png[0] === 0xff ? 'image/jpeg' : 'image/png');
    res.header('X-Qrcode-Kind', kind);
    res.header('Cache-Control', 'private, max-age=600');
    res.send(png);
  }
}

@ApiTags('admin')
@ApiBearerAuth()
@Controller('people')
export class PeopleController {
  constructor(private readonly people: PeopleService) {}

  @Get()
  @Roles('admin', 'town_officer')
  list(@CurrentUser() user: AuthUser, @Query() q: PeopleQueryDto) {
    return this.people.list(user, q);
  }

  @Put(':id')
  @Roles('admin', 'town_officer')
  update(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number, @Body() dto: UpdatePersonDto) {
    return this.people.update(user, id, dto);
  }

  /** An officer leaves: hand their open hazards and campaigns to `toUserId` (and disable them). */
  @Post(':id/handover')
  @HttpCode(200)
  @Roles('admin', 'town_officer')
  handover(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number, @Body() dto: HandoverDto) {
    return this.people.handover(user, id, dto);
  }
}
