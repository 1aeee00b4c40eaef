import { MigrationInterface, QueryRunner } from "typeorm";

export class Registers1796307212390 implements MigrationInterface {
    name = 'Registers1796307212390'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE \`risk_site\` (\`id\` int NOT NULL AUTO_INCREMENT, \`orgId\` int NOT NULL, \`orgPath\` varchar(255) NOT NULL, \`kind\` varchar(24) NOT NULL, \`name\` varchar(60) NOT NULL, \`address\` varchar(120) NULL, \`lat\` double NULL, \`lng\` double NULL, \`sizeClass\` varchar(12) NULL, \`responsibleName\` varchar(30) NULL, \`responsiblePhone\` varchar(20) NULL, \`warningSigns\` int NOT NULL DEFAULT '0', \`enterpriseOrgId\` int NULL, \`notes\` varchar(1000) NULL, \`archivedAt\` datetime(3) NULL, \`createdById\` int NOT NULL, \`createdAt\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), \`updatedAt\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6), INDEX \`idx_risk_site_scope\` (\`orgPath\`, \`kind\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`);
        await queryRunner.query(`CREATE TABLE \`site_patrol\` (\`id\` int NOT NULL AUTO_INCREMENT, \`siteId\` int NOT NULL, \`orgPath\` varchar(255) NOT NULL, \`kind\` varchar(24) NOT NULL, \`date\` varchar(10) NOT NULL, \`inspectors\` int NOT NULL DEFAULT '1', \`warningSigns\` int NULL, \`hazardIds\` text NULL, \`notes\` varchar(1000) NULL, \`createdById\` int NOT NULL, \`clientKey\` varchar(64) NULL, \`createdAt\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), UNIQUE INDEX \`uq_site_patrol_client\` (\`createdById\`, \`clientKey\`), INDEX \`idx_site_patrol_site\` (\`siteId\`, \`date\`), INDEX \`idx_site_patrol_scope\` (\`orgPath\`, \`date\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`);
        await queryRunner.query(`CREATE TABLE \`incident\` (\`id\` int NOT NULL AUTO_INCREMENT, \`orgId\` int NOT NULL, \`orgPath\` varchar(255) NOT NULL, \`kind\` varchar(24) NOT NULL, \`date\` varchar(10) NOT NULL, \`title\` varchar(60) NOT NULL, \`deaths\` int NOT NULL DEFAULT '0', \`injuries\` int NOT NULL DEFAULT '0', \`loss\` double NOT NULL DEFAULT '0', \`siteId\` int NULL, \`description\` varchar(2000) NULL, \`createdById\` int NOT NULL, \`createdAt\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), \`updatedAt\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6), INDEX \`idx_incident_scope\` (\`orgPath\`, \`date\`, \`kind\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX \`idx_incident_scope\` ON \`incident\``);
        await queryRunner.query(`DROP TABLE \`incident\``);
        await queryRunner.query(`DROP INDEX \`idx_site_patrol_scope\` ON \`site_patrol\``);
        await queryRunner.query(`DROP INDEX \`idx_site_patrol_site\` ON \`site_patrol\``);
        await queryRunner.query(`DROP INDEX \`uq_site_patrol_client\` ON \`site_patrol\``);
        await queryRunner.query(`DROP TABLE \`site_patrol\``);
        await queryRunner.query(`DROP INDEX \`idx_risk_site_scope\` ON \`risk_site\``);
        await queryRunner.query(`DROP TABLE \`risk_site\``);
    }

}
