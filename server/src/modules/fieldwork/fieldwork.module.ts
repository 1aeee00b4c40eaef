import { FieldRecordRevision } from './field-record.entity';
import { FieldRecordHazard } from './field-record.entity';
import { FieldRecord } from './field-record.entity';
import { TypeOrmModule } from '@nestjs/typeorm';
import { UsersModule } from '../users/users.module';
import { Module } from '@nestjs/common';
import { HazardsModule } from '../hazards/hazards.module';
import { FIELD_CONTROLLERS } from './fieldwork.controller';
import { FieldworkService } from './fieldwork.service';
import { HazardFindingsPort } from './hazard-findings.port';
import { FieldworkStatsSource } from './fieldwork.stats';

/** Field work log: inspections, enforcement, drills, activities (training, publicity, filings…). */
@Module({
  imports: [TypeOrmModule.forFeature([FieldRecord, FieldRecordHazard, FieldRecordRevision]), UsersModule, HazardsModule],
  controllers: FIELD_CONTROLLERS,
  providers: [FieldworkService, HazardFindingsPort, FieldworkStatsSource],
  exports: [FieldworkService, FieldworkStatsSource],
})
export class FieldworkModule {}
