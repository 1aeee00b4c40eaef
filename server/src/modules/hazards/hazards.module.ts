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

/** 隐患随手拍 and the closed-loop ledger: reports, the state machine, reminders, map, export, 月会商. */
@Module({
  imports: [TypeOrmModule.forFeature([Hazard, HazardEvent])],
  controllers: [HazardsController, ReportsController],
  providers: [HazardsService, HazardCountService, HazardRemindersService, MonthlyReportService, HazardRecipients],
  exports: [HazardsService, HazardCountService],
})
export class HazardsModule {}
