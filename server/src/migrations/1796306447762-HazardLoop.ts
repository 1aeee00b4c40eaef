import { MigrationInterface, QueryRunner } from "typeorm";

export class HazardLoop1796306447762 implements MigrationInterface {
    name = 'HazardLoop1796306447762'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE \`org_unit\` ADD \`boundary\` text NULL`);
        await queryRunner.query(`ALTER TABLE \`org_unit\` ADD \`minLat\` double NULL`);
        await queryRunner.query(`ALTER TABLE \`org_unit\` ADD \`maxLat\` double NULL`);
        await queryRunner.query(`ALTER TABLE \`org_unit\` ADD \`minLng\` double NULL`);
        await queryRunner.query(`ALTER TABLE \`org_unit\` ADD \`maxLng\` double NULL`);
        await queryRunner.query(`ALTER TABLE \`org_unit\` ADD \`overdueClimbDays\` int NULL`);
        await queryRunner.query(`ALTER TABLE \`hazard_event\` ADD \`dedupeKey\` varchar(64) NULL`);
        await queryRunner.query(`CREATE UNIQUE INDEX \`uq_hazard_event_dedupe\` ON \`hazard_event\` (\`hazardId\`, \`dedupeKey\`)`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX \`uq_hazard_event_dedupe\` ON \`hazard_event\``);
        await queryRunner.query(`ALTER TABLE \`hazard_event\` DROP COLUMN \`dedupeKey\``);
        await queryRunner.query(`ALTER TABLE \`org_unit\` DROP COLUMN \`overdueClimbDays\``);
        await queryRunner.query(`ALTER TABLE \`org_unit\` DROP COLUMN \`maxLng\``);
        await queryRunner.query(`ALTER TABLE \`org_unit\` DROP COLUMN \`minLng\``);
        await queryRunner.query(`ALTER TABLE \`org_unit\` DROP COLUMN \`maxLat\``);
        await queryRunner.query(`ALTER TABLE \`org_unit\` DROP COLUMN \`minLat\``);
        await queryRunner.query(`ALTER TABLE \`org_unit\` DROP COLUMN \`boundary\``);
    }

}
