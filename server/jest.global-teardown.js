/** Drops this run's template database (see jest.global-setup.js), if a worker made one. */
module.exports = async () => {
  const run = process.env.XA_SERVER_RUN;
  if (process.env.TEST_DB !== 'mysql' || !run) return;
  const { createConnection } = require('mysql2/promise');
  const conn = await createConnection(process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306');
  try {
    await conn.query(`DROP DATABASE IF EXISTS \`xa_tpl_${run.replace(/[^a-z0-9]/gi, '_')}\``);
  } finally {
    await conn.end();
  }
};
