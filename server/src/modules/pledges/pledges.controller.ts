import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, Res, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileUpload } from '../../common/upload/file-upload.interceptor';
import { Throttle } from '@nestjs/throttler';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import { LIMITS, OFFICER_ROLES, ROLES as ALL_ROLES } from '@xiangan/shared';
import type { FastifyReply } from 'fastify';
import type { AuthUser } from '../../common/auth/auth-user';
import { CurrentUser, Public, Roles } from '../../common/auth/decorators';
import { IdPipe } from '../../common/http/id.pipe';
import { PageQueryDto } from '../../common/http/page-query.dto';
import { Idempotent, IdempotencyKey, IDEMPOTENT_REPLAYED_HEADER } from '../../common/idempotency/idempotency.interceptor';
import {
  CampaignListQueryDto,
  CreatePledgeCampaignDto,
  CreatePledgeTemplateDto,
  CreatePledgeTemplateVersionDto,
  RosterPickQueryDto,
  SignPledgeDto,
  UnsignedQueryDto,
  VoidPledgeSignatureDto,
} from './dto/pledge.dto';
import { PledgeCampaignsService } from './pledge-campaigns.service';
import { PledgeExportsService } from './pledge-exports.service';
import { PledgeSignaturesService } from './pledge-signatures.service';
import { PledgeTemplatesService } from './pledge-templates.service';

/** Who runs campaigns: town, village, a department (a school is a department officer's unit), admin. */
const CAMPAIGN_MANAGERS = ['village_officer', 'town_officer', 'department_officer', 'admin'] as const;
const TEMPLATE_EDITORS = ['town_officer', 'department_officer', 'admin'] as const;

@ApiTags('pledges')
@ApiBearerAuth()
@Controller('pledge-templates')
export class PledgeTemplatesController {
  constructor(private readonly templates: PledgeTemplatesService) {}

  @Get()
  @Roles(...OFFICER_ROLES)
  list(@CurrentUser() user: AuthUser) {
    return this.templates.list(user);
  }

  @Get(':id')
  @Roles(...OFFICER_ROLES)
  get(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number) {
    return this.templates.get(user, id);
  }

  @Post()
  @Roles(...TEMPLATE_EDITORS)
  create(@CurrentUser() user: AuthUser, @Body() dto: CreatePledgeTemplateDto) {
    return this.templates.create(user, dto);
  }

  /** Editing = a new version (PUT and POST …/versions are the same). */
  @Post(':id/versions')
  @Roles(...TEMPLATE_EDITORS)
  addVersion(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number, @Body() dto: CreatePledgeTemplateVersionDto) {
    return this.templates.addVersion(user, id, dto);
  }

  @Put(':id')
  @Roles(...TEMPLATE_EDITORS)
  edit(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number, @Body() dto: CreatePledgeTemplateVersionDto) {
    return this.templates.addVersion(user, id, dto);
  }
}

@ApiTags('pledges')
@ApiBearerAuth()
@Controller('pledge-campaigns')
export class PledgeCampaignsController {
  constructor(
    private readonly campaigns: PledgeCampaignsService,
    private readonly signatures: PledgeSignaturesService,
    private readonly exportsSvc: PledgeExportsService,
  ) {}

  @Post()
  @Roles(...CAMPAIGN_MANAGERS)
  create(@CurrentUser() user: AuthUser, @Body() dto: CreatePledgeCampaignDto) {
    return this.campaigns.create(user, dto);
  }

  @Get()
  @Roles(...ALL_ROLES)
  list(@CurrentUser() user: AuthUser, @Query() q: CampaignListQueryDto) {
    return this.campaigns.list(user, q);
  }

  @Get(':id')
  @Roles(...ALL_ROLES)
  detail(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number) {
    return this.campaigns.detail(user, id);
  }

  @Post(':id/close')
  @HttpCode(200)
  @Roles(...CAMPAIGN_MANAGERS)
  close(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number) {
    return this.campaigns.close(user, id);
  }

  /** multipart `file`: .xlsx or .csv with 学生姓名, 班级, 监护人, 联系电话 (or 单位名称, 负责人, 联系电话). */
  @Post(':id/roster')
  @HttpCode(200)
  @Roles(...CAMPAIGN_MANAGERS)
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } } } })
  @UseInterceptors(FileUpload({ what: '名单文件', maxBytes: LIMITS.rosterMaxBytes }))
  importRoster(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number, @UploadedFile() file: Express.Multer.File | undefined) {
    return this.campaigns.importRoster(user, id, file);
  }

  /** A signer looks up their child (or unit) by exact name: open campaigns only, its own per-user limit. */
  @Get(':id/roster')
  @Roles(...ALL_ROLES)
  @Throttle({ default: { limit: LIMITS.rosterLookupsPerMinute, ttl: 60_000 } })
  rosterPick(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number, @Query() q: RosterPickQueryDto) {
    return this.campaigns.rosterPick(user, id, q.q);
  }

  @Get(':id/unsigned')
  @Roles(...OFFICER_ROLES)
  unsigned(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number, @Query() q: UnsignedQueryDto) {
    return this.campaigns.unsigned(user, id, q);
  }

  @Post(':id/remind')
  @HttpCode(200)
  @Roles(...CAMPAIGN_MANAGERS)
  remind(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number) {
    return this.campaigns.remind(user, id);
  }

  @Get(':id/qrcode')
  @Roles(...OFFICER_ROLES)
  async qrcode(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number, @Res() res: FastifyReply) {
    const { png, kind } = await this.campaigns.qrcode(user, id);
    res.header('Content-Type', png[0] === 0xff ? 'image/jpeg' : 'image/png');
    res.header('X-Qrcode-Kind', kind);
    res.header('Cache-Control', 'private, max-age=3600');
    res.send(png);
  }

  /**
   * JSON `{ rosterId?, fields, signatures: [{ role, image: 'data:image/png;base64,…' }] }`, one image per
   * declared signer (≤ LIMITS.signatureMaxBytes each). Retry with the same `Idempotency-Key`: the signature
   * stores the key (unique per signer), so a retry is answered with the stored signature, no reservation row.
   */
  @Post(':id/signatures')
  @Idempotent({ storedByHandler: true })
  @Roles(...ALL_ROLES)
  async sign(
    @CurrentUser() user: AuthUser,
    @Param('id', IdPipe) id: number,
    @Body() dto: SignPledgeDto,
    @Res({ passthrough: true }) res: FastifyReply,
    @IdempotencyKey() key?: string,
  ) {
    const { signature, replayed } = await this.signatures.sign(user, id, dto, key);
    if (replayed) res.header(IDEMPOTENT_REPLAYED_HEADER, 'true');
    return signature;
  }

  @Get(':id/signatures.pdf')
  @Roles(...OFFICER_ROLES)
  pdf(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number, @Query('group') group: string | undefined, @Res() res: FastifyReply) {
    return this.exportsSvc.pdf(user, id, res, group || undefined);
  }

  @Get(':id/signatures.xlsx')
  @Roles(...OFFICER_ROLES)
  xlsx(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number, @Query('group') group: string | undefined, @Res() res: FastifyReply) {
    return this.exportsSvc.xlsx(user, id, res, group || undefined);
  }

  @Get(':id/signatures')
  @Roles(...OFFICER_ROLES)
  listSignatures(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number, @Query() q: PageQueryDto) {
    return this.signatures.listForOfficer(user, id, q);
  }

  @Get(':id/verify')
  @Roles(...OFFICER_ROLES)
  verify(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number, @Query('images') images?: string) {
    // images are checked unless asked not to (`images=false`: the cheap chain-only check)
    return this.signatures.verify(user, id, !(images === 'false' || images === '0'));
  }
}

@ApiTags('pledges')
@ApiBearerAuth()
@Controller()
export class PledgeSignaturesController {
  constructor(private readonly signatures: PledgeSignaturesService) {}

  @Get('my/pledges')
  @Roles(...ALL_ROLES)
  mine(@CurrentUser() user: AuthUser, @Query() q: PageQueryDto) {
    return this.signatures.mine(user, q);
  }

  @Get('pledge-signatures/mine')
  @Roles(...ALL_ROLES)
  mineAlias(@CurrentUser() user: AuthUser, @Query() q: PageQueryDto) {
    return this.signatures.mine(user, q);
  }

  /** An officer in scope voids a signature with a reason: a void link on the chain; the pledge is unsigned again. */
  @Post('pledge-signatures/:id/void')
  @HttpCode(200)
  @Roles(...CAMPAIGN_MANAGERS)
  voidSignature(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number, @Body() dto: VoidPledgeSignatureDto) {
    return this.signatures.voidSignature(user, id, dto.reason);
  }

  @Get('pledge-signatures/:id')
  @Roles(...ALL_ROLES)
  get(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number) {
    return this.signatures.get(user, id);
  }

  /** The URL comes from a signature the caller may read; it carries a short-lived HMAC instead of a header. */
  @Get('pledge-signatures/:id/images/:role')
  @Public()
  async image(@Param('id', IdPipe) id: number, @Param('role') role: string, @Query('exp') exp: string, @Query('sig') sig: string, @Res() res: FastifyReply) {
    const png = await this.signatures.image(id, role, exp, sig);
    res.header('Content-Type', 'image/png');
    res.header('Cache-Control', 'private, max-age=3600');
    res.send(png);
  }
}
