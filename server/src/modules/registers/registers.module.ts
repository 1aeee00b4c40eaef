import { SitePatrol } from './registers.entities';
import { RiskSite } from './registers.entities';
import { Incident } from './registers.entities';
import { Hazard } from '../hazards/hazard.entity';
import { TypeOrmModule } from '@nestjs/typeorm';
import { UsersModule } from '../users/users.module';
import { Module } from '@nestjs/common';
import { HazardsModule } from '../hazards/hazards.module';
import { IncidentsController, RiskSitesController, SitePatrolsController } from './registers.controller';
import { RegistersService } from './registers.service';
import { RegisterStatsSource } from './registers.stats';

/** Risk-site register (重点场所/风险点), patrols at the sites, incidents (事故、火灾、溺水). */
@Module({
  imports: [TypeOrmModule.forFeature([Hazard, Incident, RiskSite, SitePatrol]), UsersModule, HazardsModule],
  controllers: [RiskSitesController, SitePatrolsController, IncidentsController],
  providers: [RegistersService, RegisterStatsSource],
  exports: [RegisterStatsSource],
})
export class RegistersModule {}
