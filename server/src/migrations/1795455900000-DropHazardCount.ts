import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * hazard_count (per leaf unit) is replaced by hazard_tally (per subtree): the ledger's counts, overdue figure and
 * per-unit page candidates all read the tally now, so the table is no longer written or read. Hand-written:
 * TypeORM does not generate drops for tables without an entity.
 */
export class DropHazardCount1795455900000 implements MigrationInterface {
    name = 'DropHazardCount1795455900000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TABLE IF EXISTS \`hazard_count\``);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE \`hazard_count\` (\`orgId\` int NOT NULL, \`status\` varchar(12) NOT NULL, \`category\` varchar(24) NOT NULL, \`level\` varchar(8) NOT NULL, \`orgPath\` varchar(255) NOT NULL, \`n\` int NOT NULL DEFAULT '0', INDEX \`idx_hazard_count_path\` (\`orgPath\`, \`status\`, \`category\`, \`level\`, \`n\`), PRIMARY KEY (\`orgId\`, \`status\`, \`category\`, \`level\`)) ENGINE=InnoDB`);
        await queryRunner.query(`INSERT INTO \`hazard_count\` (\`orgId\`, \`status\`, \`category\`, \`level\`, \`orgPath\`, \`n\`) SELECT \`orgId\`, \`status\`, \`category\`, \`level\`, MIN(\`orgPath\`), COUNT(*) FROM \`hazard\` GROUP BY \`orgId\`, \`status\`, \`category\`, \`level\``);
    }

}
