import { ApiPropertyOptional } from '@nestjs/swagger';
import { MonthlyBriefQuery, StatsQuery } from '@xiangan/shared';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { REPORT_FORMS, ReportForm } from '../report-form-names';
import { OptionalQueryId } from '../../../common/dto/fields';

/** A statistics route's unit: the caller's own when left out. */
export class OrgQueryDto {
  @OptionalQueryId()
  orgId?: number;
}

export class StatsQueryDto extends OrgQueryDto implements StatsQuery {
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

export class MonthlyBriefQueryDto extends OrgQueryDto implements MonthlyBriefQuery {
  @ApiPropertyOptional({ example: '2026-05' })
  @IsOptional()
  @Matches(/^\d{4}-(0[1-9]|1[0-2])$/, { message: '须为年月（如 2026-05）' })
  month?: string;
}
