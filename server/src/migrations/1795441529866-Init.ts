import { MigrationInterface, QueryRunner } from "typeorm";

export class Init1795441529866 implements MigrationInterface {
    name = 'Init1795441529866'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE \`counter\` (\`name\` varchar(64) NOT NULL, \`value\` int NOT NULL DEFAULT '0', PRIMARY KEY (\`name\`)) ENGINE=InnoDB`);
        await queryRunner.query(`CREATE TABLE \`idempotency_record\` (\`id\` int NOT NULL AUTO_INCREMENT, \`userId\` int NOT NULL, \`key\` varchar(64) NOT NULL, \`route\` varchar(120) NOT NULL, \`statusCode\` int NULL, \`body\` text NULL, \`createdAt\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), UNIQUE INDEX \`uq_idempotency_user_key\` (\`userId\`, \`key\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`);
        await queryRunner.query(`CREATE TABLE \`org_unit\` (\`id\` int NOT NULL AUTO_INCREMENT, \`parentId\` int NULL, \`type\` varchar(16) NOT NULL, \`name\` varchar(100) NOT NULL, \`path\` varchar(255) NOT NULL, \`code\` varchar(32) NULL, \`population\` int NULL, \`lat\` double NULL, \`lng\` double NULL, \`archived\` tinyint NOT NULL DEFAULT 0, \`createdAt\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), \`updatedAt\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6), INDEX \`idx_org_unit_path\` (\`path\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`);
        await queryRunner.query(`CREATE TABLE \`app_user\` (\`id\` int NOT NULL AUTO_INCREMENT, \`openid\` varchar(64) NULL, \`unionid\` varchar(64) NULL, \`name\` varchar(50) NULL, \`phone\` varchar(20) NULL, \`role\` varchar(24) NOT NULL DEFAULT 'resident', \`orgId\` int NULL, \`orgPath\` varchar(255) NULL, \`disabled\` tinyint NOT NULL DEFAULT 0, \`createdAt\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), \`updatedAt\` datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6), UNIQUE INDEX \`uq_app_user_openid\` (\`openid\`), INDEX \`idx_app_user_org_path\` (\`orgPath\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX \`idx_app_user_org_path\` ON \`app_user\``);
        await queryRunner.query(`DROP INDEX \`uq_app_user_openid\` ON \`app_user\``);
        await queryRunner.query(`DROP TABLE \`app_user\``);
        await queryRunner.query(`DROP INDEX \`idx_org_unit_path\` ON \`org_unit\``);
        await queryRunner.query(`DROP TABLE \`org_unit\``);
        await queryRunner.query(`DROP INDEX \`uq_idempotency_user_key\` ON \`idempotency_record\``);
        await queryRunner.query(`DROP TABLE \`idempotency_record\``);
        await queryRunner.query(`DROP TABLE \`counter\``);
    }

}
