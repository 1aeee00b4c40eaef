import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * A publicity draft keeps the officer's Idempotency-Key, unique per publisher: a retry after a COMMIT whose answer was
 * lost finds the draft instead of writing a second one (the interceptor frees its reservation on any error).
 */
export class MessageClientKey1796468342156 implements MigrationInterface {
    name = 'MessageClientKey1796468342156'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE \`message\` ADD \`clientKey\` varchar(64) NULL`);
        await queryRunner.query(`CREATE UNIQUE INDEX \`uq_message_client_key\` ON \`message\` (\`publisherId\`, \`clientKey\`)`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX \`uq_message_client_key\` ON \`message\``);
        await queryRunner.query(`ALTER TABLE \`message\` DROP COLUMN \`clientKey\``);
    }

}
