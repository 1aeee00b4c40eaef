import { UsersModule } from '../users/users.module';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { HazardEvent } from './hazard-event.entity';
import { Hazard } from './hazard.entity';
import { HazardRemindersService } from './hazard-reminders.service';
import { HazardRecipients } from './hazard-recipients';
import { HazardsController, ReportsController } from './hazards.controller';
import { HazardAccess } from './hazard-access';
import { HazardCountService } from './hazard-counts.service';
import { HazardDetailService } from './hazard-detail.service';
import { HazardGeometryService } from './hazard-geometry.service';
import { HazardIntakeService } from './hazard-intake.service';
import { HazardLedgerFastPlan } from './hazard-ledger-fast';
import { HazardLedgerService } from './hazard-ledger.service';
import { HazardWorkflowService } from './hazard-workflow.service';
import { MonthlyReportService } from './monthly-report.service';
import { HazardStatsSource } from './hazards.stats';

/** 隐患随手拍 and the closed-loop ledger: reports, the state machine, reminders, map, export, 月会商. */
@Module({
  imports: [TypeOrmModule.forFeature([Hazard, HazardEvent]), UsersModule],
  controllers: [HazardsController, ReportsController],
  providers: [
    HazardAccess,
    HazardIntakeService,
    HazardLedgerService,
    HazardLedgerFastPlan,
    HazardWorkflowService,
    HazardDetailService,
    HazardGeometryService,
    HazardCountService,
    HazardRemindersService,
    MonthlyReportService,
    HazardRecipients,
    HazardStatsSource,
  ],
  exports: [HazardIntakeService, HazardCountService, MonthlyReportService, HazardStatsSource],
})
export class HazardsModule {}
