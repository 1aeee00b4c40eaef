import { Global, Module } from '@nestjs/common';
import { ReadRouter } from './db/read-router';
import { DataSource } from 'typeorm';
import { serializeSqliteTransactions } from './db/sqlite-serial';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IdempotencyRecord } from './idempotency/idempotency-record.entity';
import { SequenceService } from './db/sequence.service';
import { ScopeService } from './scope/scope.service';
import { RefsService } from './scope/refs.service';
import { OrgUnit } from '../modules/orgs/org-unit.entity';
import { UnitLocator } from '../modules/orgs/org-locate';

/** Shared mechanisms every feature module uses: scope, sequences, idempotency records, the unit a position lies in. */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([OrgUnit, IdempotencyRecord])],
  providers: [ScopeService, SequenceService, RefsService, UnitLocator, ReadRouter],
  exports: [ScopeService, SequenceService, RefsService, UnitLocator, TypeOrmModule, ReadRouter],
})
export class CommonModule {
  constructor(ds: DataSource) {
    serializeSqliteTransactions(ds);
  }
}
