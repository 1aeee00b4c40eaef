import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * The probable-duplicate scan's index by place: open hazards of a category in a band of latitude, instead of every
 * hazard of that category in the last days (bench/RESULTS.md 2026-12-04). Written by hand: TypeORM compares an
 * index's columns as a set, so a new order of the same columns generates nothing.
 */
export class DuplicateScanByPlace1796424410398 implements MigrationInterface {
    name = 'DuplicateScanByPlace1796424410398'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX \`idx_hazard_dup\` ON \`hazard\``);
        await queryRunner.query(`CREATE INDEX \`idx_hazard_dup\` ON \`hazard\` (\`category\`, \`status\`, \`lat\`, \`lng\`, \`createdAt\`)`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX \`idx_hazard_dup\` ON \`hazard\``);
        await queryRunner.query(`CREATE INDEX \`idx_hazard_dup\` ON \`hazard\` (\`category\`, \`createdAt\`, \`status\`, \`lat\`, \`lng\`)`);
    }

}
