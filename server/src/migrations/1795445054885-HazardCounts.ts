import { MigrationInterface, QueryRunner } from "typeorm";

export class HazardCounts1795445054885 implements MigrationInterface {
    name = 'HazardCounts1795445054885'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX \`idx_hazard_org_category\` ON \`hazard\``);
        await queryRunner.query(`DROP INDEX \`idx_hazard_ledger\` ON \`hazard\``);
        await queryRunner.query(`CREATE TABLE \`hazard_count\` (\`orgId\` int NOT NULL, \`status\` varchar(12) NOT NULL, \`category\` varchar(24) NOT NULL, \`level\` varchar(8) NOT NULL, \`orgPath\` varchar(255) NOT NULL, \`n\` int NOT NULL DEFAULT '0', INDEX \`idx_hazard_count_path\` (\`orgPath\`, \`status\`, \`category\`, \`level\`, \`n\`), PRIMARY KEY (\`orgId\`, \`status\`, \`category\`, \`level\`)) ENGINE=InnoDB`);
        await queryRunner.query(`ALTER TABLE \`hazard\` ADD \`priority\` tinyint NOT NULL DEFAULT '0'`);
        await queryRunner.query(`CREATE INDEX \`idx_hazard_stale\` ON \`hazard\` (\`status\`, \`priority\`, \`deadline\`)`);
        await queryRunner.query(`CREATE INDEX \`idx_hazard_work\` ON \`hazard\` (\`status\`, \`orgPath\`, \`deadline\`, \`category\`, \`level\`, \`priority\`, \`createdAt\`)`);
        await queryRunner.query(`CREATE INDEX \`idx_hazard_unit_page\` ON \`hazard\` (\`orgId\`, \`priority\`, \`createdAt\`, \`id\`, \`status\`, \`category\`, \`level\`, \`deadline\`)`);
        // Backfill: the ledger's urgency rank and the per-unit counts of the hazards already there.
        await queryRunner.query(`UPDATE \`hazard\` SET \`priority\` = CASE WHEN \`level\` = 'major' AND \`status\` IN ('reported','assigned','rectifying','rectified','escalated') THEN 2 WHEN \`status\` IN ('assigned','rectifying') AND \`deadline\` < UTC_TIMESTAMP(3) THEN 1 ELSE 0 END`);
        await queryRunner.query(`INSERT INTO \`hazard_count\` (\`orgId\`, \`status\`, \`category\`, \`level\`, \`orgPath\`, \`n\`) SELECT \`orgId\`, \`status\`, \`category\`, \`level\`, MIN(\`orgPath\`), COUNT(*) FROM \`hazard\` GROUP BY \`orgId\`, \`status\`, \`category\`, \`level\``);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX \`idx_hazard_unit_page\` ON \`hazard\``);
        await queryRunner.query(`DROP INDEX \`idx_hazard_work\` ON \`hazard\``);
        await queryRunner.query(`DROP INDEX \`idx_hazard_stale\` ON \`hazard\``);
        await queryRunner.query(`ALTER TABLE \`hazard\` DROP COLUMN \`priority\``);
        await queryRunner.query(`DROP INDEX \`idx_hazard_count_path\` ON \`hazard_count\``);
        await queryRunner.query(`DROP TABLE \`hazard_count\``);
        await queryRunner.query(`CREATE INDEX \`idx_hazard_ledger\` ON \`hazard\` (\`orgPath\`, \`status\`, \`level\`, \`deadline\`, \`createdAt\`)`);
        await queryRunner.query(`CREATE INDEX \`idx_hazard_org_category\` ON \`hazard\` (\`orgPath\`, \`category\`, \`status\`, \`createdAt\`)`);
    }

}
