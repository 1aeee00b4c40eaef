import { MigrationInterface, QueryRunner } from "typeorm";

export class PledgeOwnershipAndVoids1796306749618 implements MigrationInterface {
    name = 'PledgeOwnershipAndVoids1796306749618'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX \`uq_pledge_signature_dedupe\` ON \`pledge_signature\``);
        await queryRunner.query(`CREATE TABLE \`pledge_void\` (\`id\` int NOT NULL AUTO_INCREMENT, \`campaignId\` int NOT NULL, \`seq\` int NOT NULL, \`signatureId\` int NOT NULL, \`signatureSeq\` int NOT NULL, \`signatureHash\` varchar(64) NOT NULL, \`reason\` varchar(200) NOT NULL, \`voidedById\` int NOT NULL, \`voidedByName\` varchar(50) NULL, \`voidedAt\` datetime(3) NOT NULL, \`prevHash\` varchar(64) NOT NULL, \`chainHash\` varchar(64) NOT NULL, UNIQUE INDEX \`uq_pledge_void_signature\` (\`signatureId\`), UNIQUE INDEX \`uq_pledge_void_seq\` (\`campaignId\`, \`seq\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`);
        await queryRunner.query(`ALTER TABLE \`pledge_template\` ADD \`orgId\` int NULL`);
        await queryRunner.query(`ALTER TABLE \`pledge_template\` ADD \`orgPath\` varchar(255) NULL`);
        await queryRunner.query(`ALTER TABLE \`pledge_campaign\` ADD \`voidCount\` int NOT NULL DEFAULT '0'`);
        await queryRunner.query(`ALTER TABLE \`pledge_signature\` ADD \`activeKey\` varchar(64) NULL`);
        await queryRunner.query(`ALTER TABLE \`pledge_signature\` ADD \`voidedAt\` datetime(3) NULL`);
        // existing signatures are all valid: their active key is their identity
        await queryRunner.query(`UPDATE \`pledge_signature\` SET \`activeKey\` = \`dedupeKey\``);
        // built-ins stay owner-less (admins edit them); a template an officer made belongs to that officer's unit
        // (made by an admin, or by nobody known: owner-less, as before)
        await queryRunner.query(
          `UPDATE \`pledge_template\` t JOIN \`pledge_template_version\` v ON v.\`templateId\` = t.\`id\` AND v.\`version\` = 1
           JOIN \`app_user\` u ON u.\`id\` = v.\`createdById\`
           SET t.\`orgId\` = u.\`orgId\`, t.\`orgPath\` = u.\`orgPath\`
           WHERE t.\`builtinKey\` IS NULL AND u.\`role\` <> 'admin' AND u.\`orgPath\` IS NOT NULL`,
        );
        await queryRunner.query(`CREATE INDEX \`idx_pledge_template_org_path\` ON \`pledge_template\` (\`orgPath\`)`);
        await queryRunner.query(`CREATE UNIQUE INDEX \`uq_pledge_signature_active\` ON \`pledge_signature\` (\`campaignId\`, \`activeKey\`)`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX \`uq_pledge_signature_active\` ON \`pledge_signature\``);
        await queryRunner.query(`DROP INDEX \`idx_pledge_template_org_path\` ON \`pledge_template\``);
        await queryRunner.query(`ALTER TABLE \`pledge_signature\` DROP COLUMN \`voidedAt\``);
        await queryRunner.query(`ALTER TABLE \`pledge_signature\` DROP COLUMN \`activeKey\``);
        await queryRunner.query(`ALTER TABLE \`pledge_campaign\` DROP COLUMN \`voidCount\``);
        await queryRunner.query(`ALTER TABLE \`pledge_template\` DROP COLUMN \`orgPath\``);
        await queryRunner.query(`ALTER TABLE \`pledge_template\` DROP COLUMN \`orgId\``);
        await queryRunner.query(`DROP INDEX \`uq_pledge_void_seq\` ON \`pledge_void\``);
        await queryRunner.query(`DROP INDEX \`uq_pledge_void_signature\` ON \`pledge_void\``);
        await queryRunner.query(`DROP TABLE \`pledge_void\``);
        await queryRunner.query(`CREATE UNIQUE INDEX \`uq_pledge_signature_dedupe\` ON \`pledge_signature\` (\`campaignId\`, \`dedupeKey\`)`);
    }

}
