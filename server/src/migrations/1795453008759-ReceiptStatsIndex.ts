import { MigrationInterface, QueryRunner } from "typeorm";

export class ReceiptStatsIndex1795453008759 implements MigrationInterface {
    name = 'ReceiptStatsIndex1795453008759'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE INDEX \`idx_message_receipt_stats\` ON \`message_receipt\` (\`messageId\`, \`readAt\`, \`ackedAt\`)`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX \`idx_message_receipt_stats\` ON \`message_receipt\``);
    }

}
