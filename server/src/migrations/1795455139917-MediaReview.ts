import { MigrationInterface, QueryRunner } from "typeorm";

export class MediaReview1795455139917 implements MigrationInterface {
    name = 'MediaReview1795455139917'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE \`media\` ADD \`secReviewedBy\` int NULL`);
        await queryRunner.query(`ALTER TABLE \`media\` ADD \`secReviewedAt\` datetime(3) NULL`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE \`media\` DROP COLUMN \`secReviewedAt\``);
        await queryRunner.query(`ALTER TABLE \`media\` DROP COLUMN \`secReviewedBy\``);
    }

}
