import { MigrationInterface, QueryRunner } from "typeorm";

export class AddInvitations1796306165925 implements MigrationInterface {
    name = 'AddInvitations1796306165925'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE \`invitation\` (\`id\` int NOT NULL AUTO_INCREMENT, \`code\` varchar(32) NOT NULL, \`role\` varchar(24) NOT NULL, \`orgId\` int NULL, \`orgPath\` varchar(255) NOT NULL, \`maxUses\` int NOT NULL DEFAULT '1', \`usedCount\` int NOT NULL DEFAULT '0', \`expiresAt\` datetime(3) NOT NULL, \`revokedAt\` datetime(3) NULL, \`note\` varchar(60) NULL, \`createdById\` int NULL, \`createdAt\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), UNIQUE INDEX \`uq_invitation_code\` (\`code\`), INDEX \`idx_invitation_org_path\` (\`orgPath\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`);
        await queryRunner.query(`CREATE TABLE \`invitation_use\` (\`id\` int NOT NULL AUTO_INCREMENT, \`invitationId\` int NOT NULL, \`userId\` int NOT NULL, \`previousRole\` varchar(24) NOT NULL, \`previousOrgId\` int NULL, \`usedAt\` datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), UNIQUE INDEX \`uq_invitation_use\` (\`invitationId\`, \`userId\`), PRIMARY KEY (\`id\`)) ENGINE=InnoDB`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX \`uq_invitation_use\` ON \`invitation_use\``);
        await queryRunner.query(`DROP TABLE \`invitation_use\``);
        await queryRunner.query(`DROP INDEX \`idx_invitation_org_path\` ON \`invitation\``);
        await queryRunner.query(`DROP INDEX \`uq_invitation_code\` ON \`invitation\``);
        await queryRunner.query(`DROP TABLE \`invitation\``);
    }

}
