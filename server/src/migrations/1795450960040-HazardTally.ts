import { MigrationInterface, QueryRunner } from "typeorm";

export class HazardTally1795450960040 implements MigrationInterface {
    name = 'HazardTally1795450960040'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX \`idx_hazard_deadline\` ON \`hazard\``);
        await queryRunner.query(`CREATE TABLE \`hazard_tally\` (\`unitId\` int NOT NULL, \`status\` varchar(12) NOT NULL, \`category\` varchar(24) NOT NULL, \`level\` varchar(8) NOT NULL, \`dueMonth\` varchar(7) NOT NULL, \`n\` int NOT NULL DEFAULT '0', PRIMARY KEY (\`unitId\`, \`status\`, \`category\`, \`level\`, \`dueMonth\`)) ENGINE=InnoDB`);
        await queryRunner.query(`CREATE INDEX \`idx_hazard_rank\` ON \`hazard\` (\`priority\`, \`createdAt\`, \`id\`, \`orgPath\`, \`status\`, \`category\`, \`level\`, \`deadline\`)`);
        await queryRunner.query(`CREATE INDEX \`idx_hazard_deadline\` ON \`hazard\` (\`status\`, \`deadline\`, \`orgPath\`, \`category\`, \`level\`)`);
        // Backfill from the hazards already there (the rules of hazard-tally.ts tallyRebuildSql, frozen here): grouped per
        // unit first, then spread over every unit of each path and over 0 (everything).
        await queryRunner.query(`INSERT INTO \`hazard_tally\` (\`unitId\`, \`status\`, \`category\`, \`level\`, \`dueMonth\`, \`n\`)
            SELECT u.\`id\`, g.\`status\`, g.\`category\`, g.\`level\`, g.\`dueMonth\`, SUM(g.\`n\`)
              FROM (SELECT \`orgPath\`, \`status\`, \`category\`, \`level\`,
                           CASE WHEN \`status\` IN ('assigned','rectifying') AND \`deadline\` IS NOT NULL THEN DATE_FORMAT(DATE_ADD(\`deadline\`, INTERVAL 8 HOUR), '%Y-%m') ELSE '' END AS \`dueMonth\`,
                           COUNT(*) AS \`n\`
                      FROM \`hazard\` GROUP BY \`orgPath\`, \`status\`, \`category\`, \`level\`, \`dueMonth\`) g
              JOIN (SELECT \`id\`, \`path\` FROM \`org_unit\` UNION ALL SELECT 0, '/') u ON g.\`orgPath\` LIKE CONCAT(u.\`path\`, '%')
             GROUP BY u.\`id\`, g.\`status\`, g.\`category\`, g.\`level\`, g.\`dueMonth\``);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX \`idx_hazard_deadline\` ON \`hazard\``);
        await queryRunner.query(`DROP INDEX \`idx_hazard_rank\` ON \`hazard\``);
        await queryRunner.query(`DROP TABLE \`hazard_tally\``);
        await queryRunner.query(`CREATE INDEX \`idx_hazard_deadline\` ON \`hazard\` (\`status\`, \`deadline\`)`);
    }

}
