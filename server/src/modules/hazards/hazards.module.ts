import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { HazardEvent } from './hazard-event.entity';
import { Hazard } from './hazard.entity';
import { HazardRemindersService } from './hazard-reminders.service';
import { HazardRecipients } from './hazard-recipients';
import { HazardsController, ReportsController } from './hazards.controller';
import { HazardCountService } from './hazard-counts.service';
import { HazardsService } from './hazards.service';
import { MonthlyReportService } from './monthly-report.service';
import { HazardStatsSource } from './hazards.stats';

/** 隐患随手拍 and the closed-loop ledger: reports, the state machine, reminders, map, export, 月会商. */
@Module({
  imports: [TypeOrmModule.forFeature([Hazard, HazardEvent])],
  controllers: [HazardsController, ReportsController],
  providers: [HazardsService, HazardCountService, HazardRemindersService, MonthlyReportService, HazardRecipients, HazardStatsSource],
  exports: [HazardsService, HazardCountService, MonthlyReportService, HazardStatsSource],
})
export class HazardsModule {}
