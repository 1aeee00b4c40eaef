import { beijingTime } from '@xiangan/shared';
/**
 * `pnpm --filter @xiangan/server admin:invite` (in the container: `node dist/admin-cli.js invite`):
 * prints a one-time, expiring invitation link and a terminal QR for the first administrator.
 * Same environment as the server (DATABASE_URL or SQLITE_PATH, PUBLIC_BASE_URL). Runs pending migrations first.
 *   --json   one line of JSON instead of the text and QR (for scripts)
 */
import 'reflect-metadata';
import QRCode from 'qrcode';
import { DataSource } from 'typeorm';
import { ConfigError, loadConfig } from './config/app-config';
import { buildDataSourceOptions } from './database/db-options';
import { migrateWithLock } from './database/migrate';
import { createAdminInvitation, INVITE_PAGE, invitationLink } from './modules/admin/invitation-code';
import { User } from './modules/users/user.entity';

async function main(argv: string[]) {
  const cmd = argv.find((a) => !a.startsWith('-')) ?? 'invite';
  if (cmd !== 'invite') {
    console.error(`unknown command ${cmd}; usage: admin-cli invite [--json]`);
    process.exit(64);
  }
  const json = argv.includes('--json');
  let cfg;
  try {
    // the CLI needs the database only: tolerate an env without WeChat credentials
    cfg = loadConfig({
      ...process.env,
      NODE_ENV: process.env.NODE_ENV === 'production' ? 'development' : process.env.NODE_ENV,
      DEV_LOGIN: 'false',
      JWT_SECRET: process.env.JWT_SECRET && process.env.JWT_SECRET.length >= 16 ? process.env.JWT_SECRET : 'cli-does-not-sign-tokens',
    });
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(78);
    }
    throw err;
  }
  const ds = new DataSource({ ...buildDataSourceOptions(cfg), logging: ['error'] });
  await ds.initialize();
  try {
    await migrateWithLock(ds);
    const inv = await ds.transaction((m) => createAdminInvitation(m));
    const admins = await ds.getRepository(User).count({ where: { role: 'admin', disabled: false } });
    const link = invitationLink(cfg.PUBLIC_BASE_URL, inv.code);
    if (json) {
      console.log(
        JSON.stringify({ code: inv.code, link, page: `${INVITE_PAGE}?code=${inv.code}`, expiresAt: inv.expiresAt.toISOString(), existingAdmins: admins }),
      );
      return;
    }
    const china = beijingTime(inv.expiresAt);
    console.log(await QRCode.toString(link, { type: 'terminal', small: true, errorCorrectionLevel: 'M' }));
    console.log('首位管理员邀请（只能使用一次）');
    console.log(`  链接：${link}`);
    console.log(`  小程序页面：${INVITE_PAGE}?code=${inv.code}`);
    console.log(`  有效期至：${china}（北京时间）`);
    console.log('用微信扫上面的二维码（或在小程序中打开上面的页面），微信登录后即成为系统管理员。');
    console.log('再次运行本命令会作废之前未使用的管理员邀请。');
    if (admins > 0) console.log(`注意：系统中已有 ${admins} 位管理员。`);
  } finally {
    await ds.destroy();
  }
}

main(process.argv.slice(2)).catch((err) => {
  console.error(err);
  process.exit(1);
});
