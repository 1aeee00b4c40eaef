import { MigrationInterface, QueryRunner } from "typeorm";

export class DuplicateScanIndex1795455054893 implements MigrationInterface {
    name = 'DuplicateScanIndex1795455054893'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX \`idx_hazard_dup\` ON \`hazard\``);
        await queryRunner.query(`CREATE INDEX \`idx_hazard_dup\` ON \`hazard\` (\`category\`, \`createdAt\`, \`status\`, \`lat\`, \`lng\`)`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX \`idx_hazard_dup\` ON \`hazard\``);
        await queryRunner.query(`CREATE INDEX \`idx_hazard_dup\` ON \`hazard\` (\`category\`, \`createdAt\`)`);
    }

}
