import { MigrationInterface, QueryRunner } from "typeorm";

export class AuditLog1796305913298 implements MigrationInterface {
    name = 'AuditLog1796305913298'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE \`audit_log\` (\`id\` int NOT NULL AUTO_INCREMENT, \`at\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), \`actorId\` int NULL, \`actorName\` varchar(50) NULL, \`actorRole\` varchar(32) NULL, \`action\` varchar(48) NOT NULL, \`orgPath\` varchar(255) NOT NULL, \`targetType\` varchar(32) NOT NULL, \`targetId\` varchar(64) NULL, \`detail\` text NULL, INDEX \`idx_audit_log_at\` (\`at\`), INDEX \`idx_audit_log_actor\` (\`actorId\`, \`id\`), INDEX \`idx_audit_log_action\` (\`action\`, \`id\`), INDEX \`idx_audit_log_org_path\` (\`orgPath\`, \`id\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX \`idx_audit_log_org_path\` ON \`audit_log\``);
        await queryRunner.query(`DROP INDEX \`idx_audit_log_action\` ON \`audit_log\``);
        await queryRunner.query(`DROP INDEX \`idx_audit_log_actor\` ON \`audit_log\``);
        await queryRunner.query(`DROP INDEX \`idx_audit_log_at\` ON \`audit_log\``);
        await queryRunner.query(`DROP TABLE \`audit_log\``);
    }

}
