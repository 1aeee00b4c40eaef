import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * A draft's Idempotency-Key (see the MySQL migration of the same name). Written by hand: SQLite adds a nullable column
 * in place, where the generated migration copied the whole table to add it.
 */
export class MessageClientKey1796468343658 implements MigrationInterface {
    name = 'MessageClientKey1796468343658'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "message" ADD COLUMN "clientKey" varchar(64)`);
        await queryRunner.query(`CREATE UNIQUE INDEX "uq_message_client_key" ON "message" ("publisherId", "clientKey") `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "uq_message_client_key"`);
        await queryRunner.query(`ALTER TABLE "message" DROP COLUMN "clientKey"`);
    }

}
