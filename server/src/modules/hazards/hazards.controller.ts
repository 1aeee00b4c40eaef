import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiTags } from '@nestjs/swagger';
import { beijingToday, HAZARD_ACTION_ROLES, HAZARD_EXPORT_MAX_ROWS, OFFICER_ROLES, ROLES } from '@xiangan/shared';
import type { FastifyReply } from 'fastify';
import type { AuthUser } from '../../common/auth/auth-user';
import { CurrentUser, Roles } from '../../common/auth/decorators';
import { onPrimary, ReplicaRead } from '../../common/db/read-router';
import { IdPipe } from '../../common/http/id.pipe';
import { Idempotent, IdempotencyKey, IDEMPOTENT_REPLAYED_HEADER } from '../../common/idempotency/idempotency.interceptor';
import {
  AnswerHazardDto,
  AssignHazardDto,
  ConfirmFixedDto,
  CreateHazardDto,
  EscalateHazardDto,
  HazardListQueryDto,
  MapQueryDto,
  MonthlyQueryDto,
  NoteDto,
  RectifyHazardDto,
  RejectHazardDto,
  ReopenHazardDto,
  StartHazardDto,
  VerifyHazardDto,
} from './dto/hazard.dto';
import { AuditService } from '../audit/audit.service';
import { writeLedgerXlsx } from './hazard-export';
import { HazardDetailService } from './hazard-detail.service';
import { HazardGeometryService } from './hazard-geometry.service';
import { HazardIntakeService } from './hazard-intake.service';
import { HazardLedgerService } from './hazard-ledger.service';
import { HazardWorkflowService } from './hazard-workflow.service';
import { MonthlyReportService } from './monthly-report.service';
import { FILE_TYPES, startDownload } from '../../common/http/download';

@ApiTags('hazards')
@ApiBearerAuth()
@Controller('hazards')
export class HazardsController {
  constructor(
    private readonly intake: HazardIntakeService,
    private readonly ledger: HazardLedgerService,
    private readonly geometry: HazardGeometryService,
    private readonly details: HazardDetailService,
    private readonly workflow: HazardWorkflowService,
    private readonly audit: AuditService,
  ) {}

  @Post()
  @Roles(...ROLES)
  // The key is stored on the hazard itself (unique per reporter), so no reservation row is kept: two fewer writes.
  @Idempotent({ storedByHandler: true })
  async create(@CurrentUser() user: AuthUser, @Body() dto: CreateHazardDto, @Res({ passthrough: true }) res: FastifyReply, @IdempotencyKey() key?: string) {
    const { created, replayed } = await this.intake.submit(user, dto, key);
    if (replayed) res.header(IDEMPOTENT_REPLAYED_HEADER, 'true');
    return created;
  }

  @Get()
  @Roles(...ROLES)
  @ReplicaRead()
  list(@CurrentUser() user: AuthUser, @Query() q: HazardListQueryDto) {
    return this.ledger.list(user, q);
  }

  @Get('map')
  @Roles(...OFFICER_ROLES)
  @ReplicaRead()
  map(@CurrentUser() user: AuthUser, @Query() q: MapQueryDto) {
    return this.geometry.map(user, q);
  }

  @Get('export.xlsx')
  @Roles(...OFFICER_ROLES)
  @ReplicaRead()
  @ApiProduces(FILE_TYPES.xlsx)
  async export(@CurrentUser() user: AuthUser, @Query() q: HazardListQueryDto, @Res() res: FastifyReply) {
    // Validate scope before the first byte goes out (an error after that cannot become a 403).
    const rows = this.ledger.exportRows(user, q, HAZARD_EXPORT_MAX_ROWS);
    const first = await rows.next();
    const { q: _text, page: _p, pageSize: _s, ...filters } = q;
    await onPrimary(() =>
      this.audit.record({ actor: user, action: 'export.hazard_ledger', orgPath: user.orgPath ?? '/', targetType: 'hazard_ledger', detail: { ...filters } }),
    );
    const stamp = beijingToday();
    const out = startDownload(res, { type: FILE_TYPES.xlsx, filename: `隐患台账-${stamp}.xlsx`, fallback: `hazards-${stamp}.xlsx` });
    async function* all() {
      if (!first.done) yield first.value;
      yield* rows;
    }
    await writeLedgerXlsx(out, all(), `隐患台账 ${stamp}`);
  }

  @Get(':id')
  @Roles(...ROLES)
  detail(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number) {
    return this.details.detail(user, id);
  }

  @Post(':id/assign')
  @HttpCode(200)
  @Roles(...HAZARD_ACTION_ROLES.assign)
  assign(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number, @Body() dto: AssignHazardDto) {
    return this.workflow.assign(user, id, dto);
  }

  @Post(':id/start')
  @HttpCode(200)
  @Roles(...HAZARD_ACTION_ROLES.start)
  start(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number, @Body() dto: StartHazardDto) {
    return this.workflow.start(user, id, dto);
  }

  @Post(':id/rectify')
  @HttpCode(200)
  @Roles(...HAZARD_ACTION_ROLES.rectify)
  rectify(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number, @Body() dto: RectifyHazardDto) {
    return this.workflow.rectify(user, id, dto);
  }

  @Post(':id/verify')
  @HttpCode(200)
  @Roles(...HAZARD_ACTION_ROLES.verify)
  verify(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number, @Body() dto: VerifyHazardDto) {
    return this.workflow.verify(user, id, dto);
  }

  @Post(':id/reject')
  @HttpCode(200)
  @Roles(...HAZARD_ACTION_ROLES.reject)
  reject(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number, @Body() dto: RejectHazardDto) {
    return this.workflow.reject(user, id, dto);
  }

  @Post(':id/escalate')
  @HttpCode(200)
  @Roles(...HAZARD_ACTION_ROLES.escalate)
  escalate(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number, @Body() dto: EscalateHazardDto) {
    return this.workflow.escalate(user, id, dto);
  }

  @Post(':id/answer')
  @HttpCode(200)
  @Roles(...HAZARD_ACTION_ROLES.answer)
  answer(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number, @Body() dto: AnswerHazardDto) {
    return this.workflow.answer(user, id, dto);
  }

  @Post(':id/reopen')
  @HttpCode(200)
  @Roles(...HAZARD_ACTION_ROLES.reopen)
  reopen(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number, @Body() dto: ReopenHazardDto) {
    return this.workflow.reopen(user, id, dto);
  }

  /** The reporter answers 修好了吗？ after 销号: fixed is recorded, not fixed reopens (as 重新打开). */
  @Post(':id/confirm')
  @HttpCode(200)
  @Roles(...ROLES)
  confirm(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number, @Body() dto: ConfirmFixedDto) {
    return this.workflow.confirm(user, id, dto);
  }

  @Post(':id/comment')
  @HttpCode(200)
  @Roles(...HAZARD_ACTION_ROLES.comment)
  comment(@CurrentUser() user: AuthUser, @Param('id', IdPipe) id: number, @Body() dto: NoteDto) {
    return this.workflow.comment(user, id, dto);
  }
}

@ApiTags('hazards')
@ApiBearerAuth()
@Controller('reports')
export class ReportsController {
  constructor(private readonly monthly: MonthlyReportService) {}

  /** 月会商 figures for a unit and month. */
  @Get('monthly')
  @Roles(...OFFICER_ROLES)
  monthlyReport(@CurrentUser() user: AuthUser, @Query() q: MonthlyQueryDto) {
    return this.monthly.monthly(user, q.orgId, q.month);
  }
}
