import { MigrationInterface, QueryRunner } from "typeorm";

export class LetterUnitId1796316587527 implements MigrationInterface {
    name = 'LetterUnitId1796316587527'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE \`pledge_signature\` ADD \`unitOrgId\` int NULL`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE \`pledge_signature\` DROP COLUMN \`unitOrgId\``);
    }

}
