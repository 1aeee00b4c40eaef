import { Module } from '@nestjs/common';
import { InvitationsController, PeopleController, UnitImportController } from './admin.controller';
import { InvitationsService } from './invitations.service';
import { PeopleAudit } from './people-audit';
import { PeopleService } from './people.service';
import { UnitImportService } from './unit-import.service';

/** Setting up a county: unit tree import, officer invitations, people. */
@Module({
  controllers: [UnitImportController, InvitationsController, PeopleController],
  providers: [UnitImportService, InvitationsService, PeopleService, PeopleAudit],
})
export class AdminModule {}
