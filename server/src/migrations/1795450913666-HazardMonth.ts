import { MigrationInterface, QueryRunner } from "typeorm";

export class HazardMonth1795450913666 implements MigrationInterface {
    name = 'HazardMonth1795450913666'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE \`hazard_month\` (\`orgId\` int NOT NULL, \`month\` varchar(7) NOT NULL, \`category\` varchar(24) NOT NULL, \`orgPath\` varchar(255) NOT NULL, \`found\` int NOT NULL DEFAULT '0', \`rectified\` int NOT NULL DEFAULT '0', \`closed\` int NOT NULL DEFAULT '0', \`major\` int NOT NULL DEFAULT '0', \`inProgress\` int NOT NULL DEFAULT '0', \`rejected\` int NOT NULL DEFAULT '0', \`escalated\` int NOT NULL DEFAULT '0', \`closedTimed\` int NOT NULL DEFAULT '0', \`closeSeconds\` bigint NOT NULL DEFAULT '0', \`closedIn\` int NOT NULL DEFAULT '0', INDEX \`idx_hazard_month_range\` (\`month\`, \`orgPath\`, \`category\`, \`found\`, \`rectified\`, \`closed\`, \`major\`, \`inProgress\`, \`rejected\`, \`escalated\`, \`closedTimed\`, \`closeSeconds\`, \`closedIn\`), PRIMARY KEY (\`orgId\`, \`month\`, \`category\`)) ENGINE=InnoDB`);
        // Backfill from the hazards already there (the rules of hazard-month.rollup.ts rebuildMonthSql, frozen here):
        // per report month in China time, then the closings by closedAt's month.
        await queryRunner.query(`INSERT INTO \`hazard_month\` (\`orgId\`, \`month\`, \`category\`, \`orgPath\`, \`found\`, \`rectified\`, \`closed\`, \`major\`, \`inProgress\`, \`rejected\`, \`escalated\`, \`closedTimed\`, \`closeSeconds\`, \`closedIn\`)
            SELECT \`orgId\`, DATE_FORMAT(DATE_ADD(\`createdAt\`, INTERVAL 8 HOUR), '%Y-%m'), \`category\`, MIN(\`orgPath\`),
                   SUM(CASE WHEN \`status\` <> 'rejected' THEN 1 ELSE 0 END), SUM(CASE WHEN \`status\` IN ('rectified','closed') THEN 1 ELSE 0 END),
                   SUM(CASE WHEN \`status\` = 'closed' THEN 1 ELSE 0 END), SUM(CASE WHEN \`status\` <> 'rejected' AND \`level\` = 'major' THEN 1 ELSE 0 END),
                   SUM(CASE WHEN \`status\` IN ('reported','assigned','rectifying','rectified') THEN 1 ELSE 0 END), SUM(CASE WHEN \`status\` = 'rejected' THEN 1 ELSE 0 END),
                   SUM(CASE WHEN \`status\` <> 'rejected' AND \`escalatedTo\` IS NOT NULL THEN 1 ELSE 0 END),
                   SUM(CASE WHEN \`status\` = 'closed' AND \`closedAt\` IS NOT NULL THEN 1 ELSE 0 END),
                   SUM(CASE WHEN \`status\` = 'closed' AND \`closedAt\` IS NOT NULL THEN TIMESTAMPDIFF(SECOND, \`createdAt\`, \`closedAt\`) ELSE 0 END), 0
              FROM \`hazard\` GROUP BY \`orgId\`, DATE_FORMAT(DATE_ADD(\`createdAt\`, INTERVAL 8 HOUR), '%Y-%m'), \`category\``);
        await queryRunner.query(`INSERT INTO \`hazard_month\` (\`orgId\`, \`month\`, \`category\`, \`orgPath\`, \`found\`, \`rectified\`, \`closed\`, \`major\`, \`inProgress\`, \`rejected\`, \`escalated\`, \`closedTimed\`, \`closeSeconds\`, \`closedIn\`)
            SELECT \`orgId\`, DATE_FORMAT(DATE_ADD(\`closedAt\`, INTERVAL 8 HOUR), '%Y-%m'), \`category\`, MIN(\`orgPath\`), 0, 0, 0, 0, 0, 0, 0, 0, 0, COUNT(*)
              FROM \`hazard\` WHERE \`status\` = 'closed' AND \`closedAt\` IS NOT NULL
             GROUP BY \`orgId\`, DATE_FORMAT(DATE_ADD(\`closedAt\`, INTERVAL 8 HOUR), '%Y-%m'), \`category\`
            ON DUPLICATE KEY UPDATE \`closedIn\` = VALUES(\`closedIn\`)`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX \`idx_hazard_month_range\` ON \`hazard_month\``);
        await queryRunner.query(`DROP TABLE \`hazard_month\``);
    }

}
