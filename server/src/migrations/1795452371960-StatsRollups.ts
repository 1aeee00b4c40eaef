import { MigrationInterface, QueryRunner } from "typeorm";

export class StatsRollups1795452371960 implements MigrationInterface {
    name = 'StatsRollups1795452371960'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE \`field_month\` (\`month\` varchar(7) NOT NULL, \`orgPath\` varchar(255) NOT NULL, \`type\` varchar(12) NOT NULL, \`kind\` varchar(32) NOT NULL, \`sector\` varchar(24) NOT NULL, \`metric\` varchar(24) NOT NULL, \`n\` int NOT NULL DEFAULT '0', \`total\` double NOT NULL DEFAULT '0', PRIMARY KEY (\`month\`, \`orgPath\`, \`type\`, \`kind\`, \`sector\`, \`metric\`)) ENGINE=InnoDB`);
        await queryRunner.query(`CREATE TABLE \`pledge_month\` (\`campaignId\` int NOT NULL, \`month\` varchar(7) NOT NULL, \`signed\` int NOT NULL DEFAULT '0', INDEX \`idx_pledge_month_range\` (\`month\`, \`campaignId\`, \`signed\`), PRIMARY KEY (\`campaignId\`, \`month\`)) ENGINE=InnoDB`);
        await queryRunner.query(`ALTER TABLE \`pledge_campaign\` ADD \`rosterSigned\` int NOT NULL DEFAULT '0'`);
        await queryRunner.query(`CREATE INDEX \`idx_field_record_campaign\` ON \`field_record\` (\`campaign\`, \`orgPath\`, \`date\`)`);
        // Backfill from what is already there (the rules of pledge-month.rollup.ts / field-month.rollup.ts, frozen here):
        // signatures per campaign and China month of signedAt; roster entries that have signed, per campaign;
        // field records (metric '') and metric rows per month, unit path, type, kind, sector ('' = none), metric.
        await queryRunner.query(`INSERT INTO \`pledge_month\` (\`campaignId\`, \`month\`, \`signed\`)
            SELECT \`campaignId\`, DATE_FORMAT(DATE_ADD(\`signedAt\`, INTERVAL 8 HOUR), '%Y-%m'), COUNT(*) FROM \`pledge_signature\`
             GROUP BY \`campaignId\`, DATE_FORMAT(DATE_ADD(\`signedAt\`, INTERVAL 8 HOUR), '%Y-%m')`);
        await queryRunner.query(`UPDATE \`pledge_campaign\` SET \`rosterSigned\` =
            (SELECT COUNT(*) FROM \`pledge_roster_entry\` e WHERE e.\`campaignId\` = \`pledge_campaign\`.\`id\` AND e.\`signatureId\` IS NOT NULL)`);
        await queryRunner.query(`INSERT INTO \`field_month\` (\`month\`, \`orgPath\`, \`type\`, \`kind\`, \`sector\`, \`metric\`, \`n\`, \`total\`)
            SELECT SUBSTR(\`date\`, 1, 7), \`orgPath\`, \`type\`, \`kind\`, COALESCE(\`sector\`, ''), '', COUNT(*), 0 FROM \`field_record\`
             GROUP BY SUBSTR(\`date\`, 1, 7), \`orgPath\`, \`type\`, \`kind\`, COALESCE(\`sector\`, '')`);
        await queryRunner.query(`INSERT INTO \`field_month\` (\`month\`, \`orgPath\`, \`type\`, \`kind\`, \`sector\`, \`metric\`, \`n\`, \`total\`)
            SELECT SUBSTR(\`date\`, 1, 7), \`orgPath\`, \`type\`, \`kind\`, COALESCE(\`sector\`, ''), \`metric\`, COUNT(*), SUM(\`value\`) FROM \`field_metric\`
             GROUP BY SUBSTR(\`date\`, 1, 7), \`orgPath\`, \`type\`, \`kind\`, COALESCE(\`sector\`, ''), \`metric\``);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX \`idx_field_record_campaign\` ON \`field_record\``);
        await queryRunner.query(`ALTER TABLE \`pledge_campaign\` DROP COLUMN \`rosterSigned\``);
        await queryRunner.query(`DROP INDEX \`idx_pledge_month_range\` ON \`pledge_month\``);
        await queryRunner.query(`DROP TABLE \`pledge_month\``);
        await queryRunner.query(`DROP TABLE \`field_month\``);
    }

}
