import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * A message records when its subscribe fan-out reached its end, so the resume sweep can queue a fan-out whose job was
 * lost. Messages already published were fanned out (or their chance is past): marked at their publishing, so the
 * first sweep after the upgrade walks none of them again.
 */
export class MessageFannedOutAt1796469301873 implements MigrationInterface {
    name = 'MessageFannedOutAt1796469301873'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE \`message\` ADD \`fannedOutAt\` datetime(3) NULL`);
        await queryRunner.query(`UPDATE \`message\` SET \`fannedOutAt\` = \`publishedAt\` WHERE \`publishedAt\` IS NOT NULL`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE \`message\` DROP COLUMN \`fannedOutAt\``);
    }

}
