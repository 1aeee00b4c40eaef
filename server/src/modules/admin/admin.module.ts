import { InvitationUse } from './invitation.entity';
import { Invitation } from './invitation.entity';
import { TypeOrmModule } from '@nestjs/typeorm';
import { UsersModule } from '../users/users.module';
import { Module } from '@nestjs/common';
import { InvitationsController, PeopleController, UnitImportController } from './admin.controller';
import { InvitationsService } from './invitations.service';
import { PeopleAudit } from './people-audit';
import { PeopleService } from './people.service';
import { UnitImportService } from './unit-import.service';

/** Setting up a county: unit tree import, officer invitations, people. */
@Module({
  imports: [TypeOrmModule.forFeature([Invitation, InvitationUse]), UsersModule],
  controllers: [UnitImportController, InvitationsController, PeopleController],
  providers: [UnitImportService, InvitationsService, PeopleService, PeopleAudit],
})
export class AdminModule {}
