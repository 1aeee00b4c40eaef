import { MigrationInterface, QueryRunner } from "typeorm";

/** The probable-duplicate scan's index by place (see the MySQL migration of the same name). Written by hand. */
export class DuplicateScanByPlace1796424410399 implements MigrationInterface {
    name = 'DuplicateScanByPlace1796424410399'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "idx_hazard_dup"`);
        await queryRunner.query(`CREATE INDEX "idx_hazard_dup" ON "hazard" ("category", "status", "lat", "lng", "createdAt") `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "idx_hazard_dup"`);
        await queryRunner.query(`CREATE INDEX "idx_hazard_dup" ON "hazard" ("category", "createdAt", "status", "lat", "lng") `);
    }

}
