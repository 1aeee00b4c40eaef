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
  controllers: [PledgeTemplatesController, PledgeCampaignsController, PledgeSignaturesController],
  providers: [PledgeTemplatesService, PledgeCampaignsService, PledgeSignaturesService, PledgeExportsService, PledgeChainWriter, PledgeStatsSource],
  exports: [PledgeTemplatesService, PledgeStatsSource],
})
export class PledgesModule {}
