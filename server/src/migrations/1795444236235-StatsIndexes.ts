import { MigrationInterface, QueryRunner } from "typeorm";

export class StatsIndexes1795444236235 implements MigrationInterface {
    name = 'StatsIndexes1795444236235'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE \`idempotency_record\` CHANGE \`createdAt\` \`createdAt\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)`);
        await queryRunner.query(`ALTER TABLE \`org_unit\` CHANGE \`createdAt\` \`createdAt\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)`);
        await queryRunner.query(`ALTER TABLE \`org_unit\` CHANGE \`updatedAt\` \`updatedAt\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6)`);
        await queryRunner.query(`ALTER TABLE \`app_user\` CHANGE \`createdAt\` \`createdAt\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)`);
        await queryRunner.query(`ALTER TABLE \`app_user\` CHANGE \`updatedAt\` \`updatedAt\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6)`);
        await queryRunner.query(`DROP INDEX \`idx_hazard_reporter\` ON \`hazard\``);
        await queryRunner.query(`DROP INDEX \`idx_hazard_dup\` ON \`hazard\``);
        await queryRunner.query(`DROP INDEX \`idx_hazard_responsible\` ON \`hazard\``);
        await queryRunner.query(`DROP INDEX \`idx_hazard_org_category\` ON \`hazard\``);
        await queryRunner.query(`DROP INDEX \`idx_hazard_org_created\` ON \`hazard\``);
        await queryRunner.query(`DROP INDEX \`idx_hazard_ledger\` ON \`hazard\``);
        await queryRunner.query(`ALTER TABLE \`hazard\` CHANGE \`createdAt\` \`createdAt\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)`);
        await queryRunner.query(`ALTER TABLE \`hazard\` CHANGE \`updatedAt\` \`updatedAt\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6)`);
        await queryRunner.query(`ALTER TABLE \`hazard_event\` CHANGE \`createdAt\` \`createdAt\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)`);
        await queryRunner.query(`DROP INDEX \`idx_media_owner\` ON \`media\``);
        await queryRunner.query(`ALTER TABLE \`media\` CHANGE \`createdAt\` \`createdAt\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)`);
        await queryRunner.query(`ALTER TABLE \`notification\` CHANGE \`createdAt\` \`createdAt\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)`);
        await queryRunner.query(`ALTER TABLE \`field_record\` CHANGE \`createdAt\` \`createdAt\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)`);
        await queryRunner.query(`ALTER TABLE \`field_record\` CHANGE \`updatedAt\` \`updatedAt\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6)`);
        await queryRunner.query(`ALTER TABLE \`field_record_revision\` CHANGE \`editedAt\` \`editedAt\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)`);
        await queryRunner.query(`ALTER TABLE \`message\` CHANGE \`createdAt\` \`createdAt\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)`);
        await queryRunner.query(`ALTER TABLE \`message\` CHANGE \`updatedAt\` \`updatedAt\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6)`);
        await queryRunner.query(`ALTER TABLE \`message_reminder\` CHANGE \`createdAt\` \`createdAt\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)`);
        await queryRunner.query(`ALTER TABLE \`subscription_consent\` CHANGE \`updatedAt\` \`updatedAt\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6)`);
        await queryRunner.query(`ALTER TABLE \`pledge_template\` CHANGE \`createdAt\` \`createdAt\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)`);
        await queryRunner.query(`ALTER TABLE \`pledge_template_version\` CHANGE \`createdAt\` \`createdAt\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)`);
        await queryRunner.query(`ALTER TABLE \`pledge_campaign\` CHANGE \`createdAt\` \`createdAt\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)`);
        await queryRunner.query(`ALTER TABLE \`pledge_reminder\` CHANGE \`createdAt\` \`createdAt\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)`);
        await queryRunner.query(`CREATE INDEX \`idx_hazard_stats\` ON \`hazard\` (\`orgPath\`, \`category\`, \`status\`, \`level\`, \`createdAt\`, \`deadline\`, \`closedAt\`, \`escalatedTo\`)`);
        await queryRunner.query(`CREATE INDEX \`idx_hazard_reporter\` ON \`hazard\` (\`reporterId\`, \`createdAt\`)`);
        await queryRunner.query(`CREATE INDEX \`idx_hazard_dup\` ON \`hazard\` (\`category\`, \`createdAt\`)`);
        await queryRunner.query(`CREATE INDEX \`idx_hazard_responsible\` ON \`hazard\` (\`responsibleOrgPath\`, \`status\`, \`createdAt\`)`);
        await queryRunner.query(`CREATE INDEX \`idx_hazard_org_category\` ON \`hazard\` (\`orgPath\`, \`category\`, \`status\`, \`createdAt\`)`);
        await queryRunner.query(`CREATE INDEX \`idx_hazard_org_created\` ON \`hazard\` (\`orgPath\`, \`createdAt\`)`);
        await queryRunner.query(`CREATE INDEX \`idx_hazard_ledger\` ON \`hazard\` (\`orgPath\`, \`status\`, \`level\`, \`deadline\`, \`createdAt\`)`);
        await queryRunner.query(`CREATE INDEX \`idx_media_owner\` ON \`media\` (\`ownerId\`, \`createdAt\`)`);
        await queryRunner.query(`CREATE INDEX \`idx_field_record_kind_org\` ON \`field_record\` (\`type\`, \`kind\`, \`orgId\`, \`date\`)`);
        await queryRunner.query(`CREATE INDEX \`idx_pledge_signature_campaign_signed\` ON \`pledge_signature\` (\`campaignId\`, \`signedAt\`)`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX \`idx_pledge_signature_campaign_signed\` ON \`pledge_signature\``);
        await queryRunner.query(`DROP INDEX \`idx_field_record_kind_org\` ON \`field_record\``);
        await queryRunner.query(`DROP INDEX \`idx_media_owner\` ON \`media\``);
        await queryRunner.query(`DROP INDEX \`idx_hazard_ledger\` ON \`hazard\``);
        await queryRunner.query(`DROP INDEX \`idx_hazard_org_created\` ON \`hazard\``);
        await queryRunner.query(`DROP INDEX \`idx_hazard_org_category\` ON \`hazard\``);
        await queryRunner.query(`DROP INDEX \`idx_hazard_responsible\` ON \`hazard\``);
        await queryRunner.query(`DROP INDEX \`idx_hazard_dup\` ON \`hazard\``);
        await queryRunner.query(`DROP INDEX \`idx_hazard_reporter\` ON \`hazard\``);
        await queryRunner.query(`DROP INDEX \`idx_hazard_stats\` ON \`hazard\``);
        await queryRunner.query(`ALTER TABLE \`pledge_reminder\` CHANGE \`createdAt\` \`createdAt\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)`);
        await queryRunner.query(`ALTER TABLE \`pledge_campaign\` CHANGE \`createdAt\` \`createdAt\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)`);
        await queryRunner.query(`ALTER TABLE \`pledge_template_version\` CHANGE \`createdAt\` \`createdAt\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)`);
        await queryRunner.query(`ALTER TABLE \`pledge_template\` CHANGE \`createdAt\` \`createdAt\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)`);
        await queryRunner.query(`ALTER TABLE \`subscription_consent\` CHANGE \`updatedAt\` \`updatedAt\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)`);
        await queryRunner.query(`ALTER TABLE \`message_reminder\` CHANGE \`createdAt\` \`createdAt\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)`);
        await queryRunner.query(`ALTER TABLE \`message\` CHANGE \`updatedAt\` \`updatedAt\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)`);
        await queryRunner.query(`ALTER TABLE \`message\` CHANGE \`createdAt\` \`createdAt\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)`);
        await queryRunner.query(`ALTER TABLE \`field_record_revision\` CHANGE \`editedAt\` \`editedAt\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)`);
        await queryRunner.query(`ALTER TABLE \`field_record\` CHANGE \`updatedAt\` \`updatedAt\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)`);
        await queryRunner.query(`ALTER TABLE \`field_record\` CHANGE \`createdAt\` \`createdAt\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)`);
        await queryRunner.query(`ALTER TABLE \`notification\` CHANGE \`createdAt\` \`createdAt\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)`);
        await queryRunner.query(`ALTER TABLE \`media\` CHANGE \`createdAt\` \`createdAt\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)`);
        await queryRunner.query(`CREATE INDEX \`idx_media_owner\` ON \`media\` (\`ownerId\`, \`createdAt\`)`);
        await queryRunner.query(`ALTER TABLE \`hazard_event\` CHANGE \`createdAt\` \`createdAt\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)`);
        await queryRunner.query(`ALTER TABLE \`hazard\` CHANGE \`updatedAt\` \`updatedAt\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)`);
        await queryRunner.query(`ALTER TABLE \`hazard\` CHANGE \`createdAt\` \`createdAt\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)`);
        await queryRunner.query(`CREATE INDEX \`idx_hazard_ledger\` ON \`hazard\` (\`orgPath\`, \`status\`, \`level\`, \`deadline\`, \`createdAt\`)`);
        await queryRunner.query(`CREATE INDEX \`idx_hazard_org_created\` ON \`hazard\` (\`orgPath\`, \`createdAt\`)`);
        await queryRunner.query(`CREATE INDEX \`idx_hazard_org_category\` ON \`hazard\` (\`orgPath\`, \`category\`, \`status\`, \`createdAt\`)`);
        await queryRunner.query(`CREATE INDEX \`idx_hazard_responsible\` ON \`hazard\` (\`responsibleOrgPath\`, \`status\`, \`createdAt\`)`);
        await queryRunner.query(`CREATE INDEX \`idx_hazard_dup\` ON \`hazard\` (\`category\`, \`createdAt\`)`);
        await queryRunner.query(`CREATE INDEX \`idx_hazard_reporter\` ON \`hazard\` (\`reporterId\`, \`createdAt\`)`);
        await queryRunner.query(`ALTER TABLE \`app_user\` CHANGE \`updatedAt\` \`updatedAt\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)`);
        await queryRunner.query(`ALTER TABLE \`app_user\` CHANGE \`createdAt\` \`createdAt\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)`);
        await queryRunner.query(`ALTER TABLE \`org_unit\` CHANGE \`updatedAt\` \`updatedAt\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)`);
        await queryRunner.query(`ALTER TABLE \`org_unit\` CHANGE \`createdAt\` \`createdAt\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)`);
        await queryRunner.query(`ALTER TABLE \`idempotency_record\` CHANGE \`createdAt\` \`createdAt\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)`);
    }

}
