import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Pledges: templates, versions, campaigns, rosters, the signature chain, reminders.
 * Written to be safe whether or not an earlier migration already created these tables.
 */
export class Pledges1795442283566 implements MigrationInterface {
    name = 'Pledges1795442283566'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE IF NOT EXISTS \`pledge_template\` (\`id\` int NOT NULL AUTO_INCREMENT, \`kind\` varchar(32) NOT NULL, \`title\` varchar(60) NOT NULL, \`latestVersionId\` int NULL, \`versionCount\` int NOT NULL DEFAULT '0', \`builtinKey\` varchar(32) NULL, \`createdAt\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), UNIQUE INDEX \`uq_pledge_template_builtin\` (\`builtinKey\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`);
        await queryRunner.query(`CREATE TABLE IF NOT EXISTS \`pledge_template_version\` (\`id\` int NOT NULL AUTO_INCREMENT, \`templateId\` int NOT NULL, \`version\` int NOT NULL, \`kind\` varchar(32) NOT NULL, \`title\` varchar(60) NOT NULL, \`body\` text NOT NULL, \`signers\` text NOT NULL, \`fields\` text NOT NULL, \`contentHash\` varchar(64) NOT NULL, \`createdById\` int NULL, \`createdAt\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), UNIQUE INDEX \`uq_pledge_template_version\` (\`templateId\`, \`version\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`);
        await queryRunner.query(`CREATE TABLE IF NOT EXISTS \`pledge_campaign\` (\`id\` int NOT NULL AUTO_INCREMENT, \`templateVersionId\` int NOT NULL, \`kind\` varchar(32) NOT NULL, \`title\` varchar(60) NOT NULL, \`orgId\` int NOT NULL, \`orgPath\` varchar(255) NOT NULL, \`deadline\` datetime(3) NOT NULL, \`closedAt\` datetime(3) NULL, \`rosterKind\` varchar(16) NULL, \`rosterCount\` int NOT NULL DEFAULT '0', \`seq\` int NOT NULL DEFAULT '0', \`lastHash\` varchar(64) NOT NULL, \`lastReminderAt\` datetime(3) NULL, \`createdById\` int NULL, \`createdAt\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), INDEX \`idx_pledge_campaign_org_path\` (\`orgPath\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`);
        await queryRunner.query(`CREATE TABLE IF NOT EXISTS \`pledge_roster_entry\` (\`id\` int NOT NULL AUTO_INCREMENT, \`campaignId\` int NOT NULL, \`rowNo\` int NOT NULL, \`groupName\` varchar(60) NOT NULL, \`name\` varchar(60) NOT NULL, \`guardianName\` varchar(30) NULL, \`phone\` varchar(20) NULL, \`dedupeKey\` varchar(64) NOT NULL, \`signatureId\` int NULL, UNIQUE INDEX \`uq_pledge_roster_dedupe\` (\`campaignId\`, \`dedupeKey\`), INDEX \`idx_pledge_roster_campaign_group\` (\`campaignId\`, \`groupName\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`);
        await queryRunner.query(`CREATE TABLE IF NOT EXISTS \`pledge_signature\` (\`id\` int NOT NULL AUTO_INCREMENT, \`campaignId\` int NOT NULL, \`seq\` int NOT NULL, \`rosterEntryId\` int NULL, \`groupName\` varchar(60) NULL, \`dedupeKey\` varchar(64) NOT NULL, \`signerUserId\` int NOT NULL, \`clientKey\` varchar(64) NOT NULL, \`templateVersionId\` int NOT NULL, \`contentHash\` varchar(64) NOT NULL, \`fields\` text NOT NULL, \`images\` text NOT NULL, \`signedAt\` datetime(3) NOT NULL, \`prevHash\` varchar(64) NOT NULL, \`chainHash\` varchar(64) NOT NULL, INDEX \`idx_pledge_signature_campaign_group\` (\`campaignId\`, \`groupName\`), UNIQUE INDEX \`uq_pledge_signature_client\` (\`signerUserId\`, \`clientKey\`), UNIQUE INDEX \`uq_pledge_signature_dedupe\` (\`campaignId\`, \`dedupeKey\`), UNIQUE INDEX \`uq_pledge_signature_seq\` (\`campaignId\`, \`seq\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`);
        await queryRunner.query(`CREATE TABLE IF NOT EXISTS \`pledge_reminder\` (\`id\` int NOT NULL AUTO_INCREMENT, \`campaignId\` int NOT NULL, \`createdById\` int NOT NULL, \`unsignedCount\` int NOT NULL, \`notified\` int NOT NULL, \`createdAt\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), INDEX \`idx_pledge_reminder_campaign\` (\`campaignId\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`);
        // the tables may already exist from an earlier migration that declared these columns char(64)
        await queryRunner.query(`ALTER TABLE \`pledge_template_version\` MODIFY \`contentHash\` varchar(64) NOT NULL`);
        await queryRunner.query(`ALTER TABLE \`pledge_campaign\` MODIFY \`lastHash\` varchar(64) NOT NULL`);
        await queryRunner.query(`ALTER TABLE \`pledge_roster_entry\` MODIFY \`dedupeKey\` varchar(64) NOT NULL`);
        await queryRunner.query(`ALTER TABLE \`pledge_signature\` MODIFY \`dedupeKey\` varchar(64) NOT NULL`);
        await queryRunner.query(`ALTER TABLE \`pledge_signature\` MODIFY \`contentHash\` varchar(64) NOT NULL`);
        await queryRunner.query(`ALTER TABLE \`pledge_signature\` MODIFY \`prevHash\` varchar(64) NOT NULL`);
        await queryRunner.query(`ALTER TABLE \`pledge_signature\` MODIFY \`chainHash\` varchar(64) NOT NULL`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TABLE IF EXISTS \`pledge_reminder\``);
        await queryRunner.query(`DROP TABLE IF EXISTS \`pledge_signature\``);
        await queryRunner.query(`DROP TABLE IF EXISTS \`pledge_roster_entry\``);
        await queryRunner.query(`DROP TABLE IF EXISTS \`pledge_campaign\``);
        await queryRunner.query(`DROP TABLE IF EXISTS \`pledge_template_version\``);
        await queryRunner.query(`DROP TABLE IF EXISTS \`pledge_template\``);
    }
}
