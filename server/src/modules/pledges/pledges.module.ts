import { PledgeVoid } from './pledge.entities';
import { PledgeTemplateVersion } from './pledge.entities';
import { PledgeTemplate } from './pledge.entities';
import { PledgeSignature } from './pledge.entities';
import { PledgeRosterEntry } from './pledge.entities';
import { PledgeReminder } from './pledge.entities';
import { PledgeCampaign } from './pledge.entities';
import { TypeOrmModule } from '@nestjs/typeorm';
import { UsersModule } from '../users/users.module';
import { Module } from '@nestjs/common';
import { PledgeCampaignsController, PledgeSignaturesController, PledgeTemplatesController } from './pledges.controller';
import { PledgeCampaignsService } from './pledge-campaigns.service';
import { PledgeExportsService } from './pledge-exports.service';
import { PledgeSignaturesService } from './pledge-signatures.service';
import { PledgeTemplatesService } from './pledge-templates.service';
import { PledgeStatsSource } from './pledges.stats';
import { PledgeChainWriter } from './pledge-chain-writer';

/** Pledges (承诺书) and responsibility letters (责任书): templates, campaigns, hand signatures in a hash chain, exports. */
@Module({
  imports: [
    TypeOrmModule.forFeature([PledgeCampaign, PledgeReminder, PledgeRosterEntry, PledgeSignature, PledgeTemplate, PledgeTemplateVersion, PledgeVoid]),
    UsersModule,
  ],
  controllers: [PledgeTemplatesController, PledgeCampaignsController, PledgeSignaturesController],
  providers: [PledgeTemplatesService, PledgeCampaignsService, PledgeSignaturesService, PledgeExportsService, PledgeChainWriter, PledgeStatsSource],
  exports: [PledgeTemplatesService, PledgeStatsSource],
})
export class PledgesModule {}
