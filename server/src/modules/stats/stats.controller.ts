import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { OFFICER_ROLES } from '@xiangan/shared';
import type { FastifyReply } from 'fastify';
import type { AuthUser } from '../../common/auth/auth-user';
import { CurrentUser, Roles } from '../../common/auth/decorators';
import { ReplicaRead } from '../../common/db/read-router';
import { OrgScope, ScopedOrg } from '../../common/scope/org-scope.guard';
import { OrgUnit } from '../orgs/org-unit.entity';
import { MonthlyBriefQueryDto, OrgQueryDto, ReportQueryDto, StatsQueryDto } from './dto/stats.dto';
import { ReportService } from './report.service';
import { StatsService } from './stats.service';
import { FILE_TYPES, sendDownload } from '../../common/http/download';

function sendDocx(res: FastifyReply, buf: Buffer, filename: string) {
  sendDownload(res, { type: FILE_TYPES.docx, filename, fallback: 'report.docx' }, buf);
}

@ApiTags('stats')
@ApiBearerAuth()
@Controller('stats')
export class StatsController {
  constructor(
    private readonly stats: StatsService,
    private readonly reports: ReportService,
  ) {}

  @Get('summary')
  @Roles(...OFFICER_ROLES)
  @ReplicaRead()
  @OrgScope({ in: 'query', field: 'orgId' })
  summary(@CurrentUser() user: AuthUser, @Query() q: StatsQueryDto, @ScopedOrg() org?: OrgUnit) {
    return this.stats.summary(user, org, this.stats.period(q.from, q.to));
  }

  @Get('dashboard')
  @Roles(...OFFICER_ROLES)
  @ReplicaRead()
  @OrgScope({ in: 'query', field: 'orgId' })
  dashboard(@CurrentUser() user: AuthUser, @Query() _q: OrgQueryDto, @ScopedOrg() org?: OrgUnit) {
    return this.stats.dashboard(user, org);
  }

  @Get('summary.docx')
  @Roles(...OFFICER_ROLES)
  @ReplicaRead()
  @OrgScope({ in: 'query', field: 'orgId' })
  async summaryDocx(@CurrentUser() user: AuthUser, @Query() q: ReportQueryDto, @Res() res: FastifyReply, @ScopedOrg() org?: OrgUnit) {
    const { buffer, filename } = await this.reports.yearReport(user, org, this.stats.period(q.from, q.to), q.form);
    sendDocx(res, buffer, filename);
  }

  @Get('monthly-brief.docx')
  @Roles(...OFFICER_ROLES)
  @ReplicaRead()
  @OrgScope({ in: 'query', field: 'orgId' })
  async monthlyBrief(@CurrentUser() user: AuthUser, @Query() q: MonthlyBriefQueryDto, @Res() res: FastifyReply, @ScopedOrg() org?: OrgUnit) {
    const { buffer, filename } = await this.reports.monthlyBrief(user, org, q.month);
    sendDocx(res, buffer, filename);
  }
}
