import { Module } from '@nestjs/common';
import { ReportService } from './report.service';
import { StatsController } from './stats.controller';
import { StatsService } from './stats.service';
import { PledgeStatsSource, PublicityStatsSource } from './sources';

/** Statistics, the officer dashboard, the year-end report and the monthly 会商 brief. */
@Module({
  controllers: [StatsController],
  providers: [StatsService, ReportService, PledgeStatsSource, PublicityStatsSource],
  exports: [StatsService],
})
export class StatsModule {}
