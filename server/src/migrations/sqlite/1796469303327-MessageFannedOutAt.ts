import { MigrationInterface, QueryRunner } from "typeorm";

/** A message's `fannedOutAt` (see the MySQL migration of the same name). Written by hand: the column added in place. */
export class MessageFannedOutAt1796469303327 implements MigrationInterface {
    name = 'MessageFannedOutAt1796469303327'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "message" ADD COLUMN "fannedOutAt" datetime(3)`);
        await queryRunner.query(`UPDATE "message" SET "fannedOutAt" = "publishedAt" WHERE "publishedAt" IS NOT NULL`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "message" DROP COLUMN "fannedOutAt"`);
    }

}
