import { MigrationInterface, QueryRunner } from "typeorm";

export class LedgerUnitCategory1796389197651 implements MigrationInterface {
    name = 'LedgerUnitCategory1796389197651'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE INDEX "idx_hazard_unit_category" ON "hazard" ("orgId", "category", "priority", "createdAt", "id", "status", "level", "deadline") `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "idx_hazard_unit_category"`);
    }

}
