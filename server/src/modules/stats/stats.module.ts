import { Module } from '@nestjs/common';
import { FieldworkModule } from '../fieldwork/fieldwork.module';
import { HazardsModule } from '../hazards/hazards.module';
import { PledgesModule } from '../pledges/pledges.module';
import { PublicityModule } from '../publicity/publicity.module';
import { RegistersModule } from '../registers/registers.module';
import { ReportService } from './report.service';
import { StatsController } from './stats.controller';
import { StatsService } from './stats.service';

/**
 * Statistics, the officer dashboard, the year-end report and the monthly 会商 brief — composed from the statistics
 * source each feature module exports (hazards, field work, pledges, publicity, registers) and 月会商 (hazards).
 */
@Module({
  imports: [HazardsModule, FieldworkModule, PledgesModule, PublicityModule, RegistersModule],
  controllers: [StatsController],
  providers: [StatsService, ReportService],
  exports: [StatsService],
})
export class StatsModule {}
