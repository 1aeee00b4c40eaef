import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { MonthlyBriefQuery, OFFICER_ROLES, StatsQuery } from '@xiangan/shared';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsPositive, Matches } from 'class-validator';
import { REPORT_FORMS, ReportForm } from './report-forms';
import type { Response } from 'express';
import type { AuthUser } from '../../common/auth/auth-user';
import { CurrentUser, Roles } from '../../common/auth/decorators';
import { ReplicaRead } from '../../common/db/read-router';
import { OrgScope } from '../../common/scope/org-scope.guard';
import { ReportService } from './report.service';
import { StatsService } from './stats.service';
import { FILE_TYPES, sendDownload } from '../../common/http/download';

export class StatsQueryDto implements StatsQuery {
  @ApiPropertyOptional()
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @IsPositive()
  orgId?: number;
  @ApiPropertyOptional({ example: '2026-01-01' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: '须为日期（如 2026-05-01）' })
  from?: string;
  @ApiPropertyOptional({ example: '2026-12-31' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: '须为日期（如 2026-05-01）' })
  to?: string;
}

export class ReportQueryDto extends StatsQueryDto {
  @ApiPropertyOptional({
    enum: REPORT_FORMS,
    description: 'annual = 年度安全生产和消防工作总结; duty = 述职述廉报告（安全生产部分）; campaign = 专项整治三年行动工作总结',
  })
  @IsOptional()
  @IsIn(REPORT_FORMS)
  form?: ReportForm;
}

export class DashboardQueryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @IsPositive()
  orgId?: number;
}

export class MonthlyBriefQueryDto implements MonthlyBriefQuery {
  @ApiPropertyOptional()
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @IsPositive()
  orgId?: number;
  @ApiPropertyOptional({ example: '2026-05' })
  @IsOptional()
  @Matches(/^\d{4}-(0[1-9]|1[0-2])$/, { message: '须为年月（如 2026-05）' })
  month?: string;
}

function sendDocx(res: Response, buf: Buffer, filename: string) {
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
  summary(@CurrentUser() user: AuthUser, @Query() q: StatsQueryDto) {
    return this.stats.summary(user, q.orgId, this.stats.period(q.from, q.to));
  }

  @Get('dashboard')
  @Roles(...OFFICER_ROLES)
  @ReplicaRead()
  @OrgScope({ in: 'query', field: 'orgId' })
  dashboard(@CurrentUser() user: AuthUser, @Query() q: DashboardQueryDto) {
    return this.stats.dashboard(user, q.orgId);
  }

  @Get('summary.docx')
  @Roles(...OFFICER_ROLES)
  @ReplicaRead()
  @OrgScope({ in: 'query', field: 'orgId' })
  async summaryDocx(@CurrentUser() user: AuthUser, @Query() q: ReportQueryDto, @Res() res: Response) {
    const { buffer, filename } = await this.reports.yearReport(user, q.orgId, this.stats.period(q.from, q.to), q.form);
    sendDocx(res, buffer, filename);
  }

  @Get('monthly-brief.docx')
  @Roles(...OFFICER_ROLES)
  @ReplicaRead()
  @OrgScope({ in: 'query', field: 'orgId' })
  async monthlyBrief(@CurrentUser() user: AuthUser, @Query() q: MonthlyBriefQueryDto, @Res() res: Response) {
    const { buffer, filename } = await this.reports.monthlyBrief(user, q.orgId, q.month);
    sendDocx(res, buffer, filename);
  }
}
