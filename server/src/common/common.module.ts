import { Global, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { ReadRouter, ReplicaReadInterceptor, WriteTracker } from './db/read-router';
import { DataSource } from 'typeorm';
import { serializeSqliteTransactions } from './db/sqlite-serial';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IdempotencyRecord } from './idempotency/idempotency-record.entity';
import { SequenceService } from './db/sequence.service';
import { ScopeService } from './scope/scope.service';
import { RefsService } from './scope/refs.service';
import { OrgUnit } from '../modules/orgs/org-unit.entity';

/** Shared mechanisms every feature module uses: scope, sequences, idempotency records. */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([OrgUnit, IdempotencyRecord])],
  providers: [ScopeService, SequenceService, RefsService, ReadRouter, ReplicaReadInterceptor, { provide: APP_INTERCEPTOR, useClass: WriteTracker }],
  exports: [ScopeService, SequenceService, RefsService, TypeOrmModule, ReadRouter, ReplicaReadInterceptor],
})
export class CommonModule {
  constructor(ds: DataSource) {
    serializeSqliteTransactions(ds);
  }
}
