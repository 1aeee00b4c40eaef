import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * A 催阅 reminder records when its job took it, so one whose job was never queued is queued again by the resume job,
 * and a second job for it does nothing. The reminders already there were sent (or their chance is past): marked as
 * taken at their creation, so the first sweep after the upgrade sends none of them again.
 */
export class ReminderStartedAt1796469151886 implements MigrationInterface {
    name = 'ReminderStartedAt1796469151886'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE \`message_reminder\` ADD \`startedAt\` datetime(3) NULL`);
        await queryRunner.query(`UPDATE \`message_reminder\` SET \`startedAt\` = \`createdAt\``);
        await queryRunner.query(`CREATE INDEX \`idx_message_reminder_unstarted\` ON \`message_reminder\` (\`startedAt\`, \`createdAt\`)`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX \`idx_message_reminder_unstarted\` ON \`message_reminder\``);
        await queryRunner.query(`ALTER TABLE \`message_reminder\` DROP COLUMN \`startedAt\``);
    }

}
