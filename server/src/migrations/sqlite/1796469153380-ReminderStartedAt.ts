import { MigrationInterface, QueryRunner } from "typeorm";

/** A 催阅 reminder's `startedAt` (see the MySQL migration of the same name). Written by hand: the column added in place. */
export class ReminderStartedAt1796469153380 implements MigrationInterface {
    name = 'ReminderStartedAt1796469153380'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "message_reminder" ADD COLUMN "startedAt" datetime(3)`);
        await queryRunner.query(`UPDATE "message_reminder" SET "startedAt" = "createdAt"`);
        await queryRunner.query(`CREATE INDEX "idx_message_reminder_unstarted" ON "message_reminder" ("startedAt", "createdAt") `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "idx_message_reminder_unstarted"`);
        await queryRunner.query(`ALTER TABLE "message_reminder" DROP COLUMN "startedAt"`);
    }

}
