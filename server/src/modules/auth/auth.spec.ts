import { AUTH_USER_TTL_MS } from '../../common/auth/auth.guard';
import { User } from '../users/user.entity';
import { OrgUnit } from '../orgs/org-unit.entity';
import { Repository } from 'typeorm';
import { KeyObject } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import { AppConfig, ConfigError, DEV_JWT_SECRET, loadConfig } from '../../config/app-config';
import { FakeWechat } from '../../testing/fake-wechat';
import { createTestApp } from '../../testing/test-app';
import { useTestApp } from '../../testing/use-test-app';
import { named } from '../../testing/fields';

describe('config at start-up', () => {
  it('refuses a production start with the default JWT secret, naming it', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', WECHAT_APPID: 'wx1', WECHAT_SECRET: 's' })).toThrow(/JWT_SECRET/);
  });
  it('refuses a production start with the dev login on', () => {
    expect(() =>
      loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'a-long-random-secret-0123456789abcdef', DEV_LOGIN: 'true', WECHAT_APPID: 'wx1', WECHAT_SECRET: 's' }),
    ).toThrow(/DEV_LOGIN/);
  });
  it('refuses bad values with the variable name', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ STORAGE_DRIVER: 'ftp' })).toThrow(/STORAGE_DRIVER/);
  });
  it('starts in development with defaults: SQLite, dev login on', () => {
    const cfg = loadConfig({});
    expect(cfg.dbKind).toBe('sqlite');
    expect(cfg.devLoginEnabled).toBe(true);
    expect(cfg.JWT_SECRET).toBe(DEV_JWT_SECRET);
  });
  it('accepts a proper production configuration with dev login off', () => {
    const cfg = loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'a-long-random-secret-0123456789abcdef', WECHAT_APPID: 'wx1', WECHAT_SECRET: 's' });
    expect(cfg.devLoginEnabled).toBe(false);
  });
});

let wx: FakeWechat;
/**
 * One app (demo seed, the fake WeChat server's settings) for the WeChat login and the auth guard's blocks, which use
 * different users: an app set-up per block cost a second start and seed. The production block makes its own.
 */
const t = useTestApp(
  {},
  {
    before: async () => {
      wx = await new FakeWechat().start();
      return { env: wx.env() };
    },
    after: () => wx.stop(),
  },
);

describe('WeChat login against the fake WeChat server', () => {
  it('exchanges a wx.login code for a token and creates a resident once', async () => {
    const res = await t.http.post('/api/auth/wechat').send({ code: wx.code('o-villager-1') });
    expect(res.status).toBe(200);
    expect(res.body.token).toEqual(expect.any(String));
    expect(res.body.user).toMatchObject({ role: 'resident', orgId: null });
    const again = await t.http.post('/api/auth/wechat').send({ code: wx.code('o-villager-1') });
    expect(again.body.user.id).toBe(res.body.user.id);
    const me = await t.http.get('/api/me').set({ Authorization: `Bearer ${again.body.token}` });
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(res.body.user.id);
  });

  it('answers 401 for an invalid code and for a code used twice', async () => {
    const bad = await t.http.post('/api/auth/wechat').send({ code: 'not-a-real-code' });
    expect(bad.status).toBe(401);
    expect(bad.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    const code = wx.code('o-villager-2');
    expect((await t.http.post('/api/auth/wechat').send({ code })).status).toBe(200);
    const reused = await t.http.post('/api/auth/wechat').send({ code });
    expect(reused.status).toBe(401);
  });

  it('maps WeChat rate limiting to 429 and a WeChat outage to 503', async () => {
    wx.nextLoginError = 45011;
    expect((await t.http.post('/api/auth/wechat').send({ code: wx.code('o-x') })).status).toBe(429);
    wx.nextLoginError = -1;
    const busy = await t.http.post('/api/auth/wechat').send({ code: wx.code('o-y') });
    expect(busy.status).toBe(503);
    expect(busy.body.message).toMatch(/微信/);
  });

  it('names the missing field when the code is absent', async () => {
    const res = await t.http.post('/api/auth/wechat').send({});
    expect(res.status).toBe(400);
    expect(named(res.body)).toEqual(expect.arrayContaining([expect.stringMatching(/^code /)]));
  });
});

describe('GET /api/me', () => {
  it('answers the caller and their unit as the entities hold them, in one statement besides the guard', async () => {
    const me = await t.login('demo-village');
    expect((await t.http.get('/api/me').set(me)).status).toBe(200); // the guard's read of the row is cached now
    const logQuery = jest.spyOn(t.ds.logger, 'logQuery');
    let res;
    let statements: string[];
    try {
      res = await t.http.get('/api/me').set(me);
      // (the guard's own read of the row, should its few seconds have run out on a slow machine, is not the handler's)
      statements = logQuery.mock.calls
        .map(([sql]) => sql)
        .filter((sql) => !sql.startsWith('SELECT id, role, orgId, orgPath, openid, name, disabled FROM app_user'));
    } finally {
      logQuery.mockRestore();
    }
    expect(res.status).toBe(200);
    // was two: the user and then their unit, each found by TypeORM (the guard's row is cached)
    expect(statements).toHaveLength(1);
    const u = await t.ds.getRepository(User).findOneByOrFail({ id: res.body.id });
    const org = await t.ds.getRepository(OrgUnit).findOneByOrFail({ id: u.orgId! });
    expect(res.body).toEqual({
      id: u.id,
      name: u.name,
      phone: u.phone,
      role: 'village_officer',
      orgId: org.id,
      orgName: org.name,
      orgPath: org.path,
      orgType: 'village',
      createdAt: u.createdAt.toISOString(),
      devLogin: true,
    });
    // a caller without a unit
    const loner = await t.login('me-without-unit');
    expect((await t.http.get('/api/me').set(loner)).body).toMatchObject({ role: 'resident', orgId: null, orgName: null, orgType: null, orgPath: null });
  });
});

describe('dev login', () => {
  it('is refused in production', async () => {
    const wx = await new FakeWechat().start();
    const t = await createTestApp({
      env: { ...wx.env(), NODE_ENV: 'production', JWT_SECRET: 'a-long-random-secret-0123456789abcdef' },
    });
    try {
      const res = await t.http.post('/api/auth/dev').send({ openid: 'demo-town' });
      expect(res.status).toBe(403);
      expect((await t.http.get('/api/auth/dev/accounts')).status).toBe(404);
    } finally {
      await t.close();
      await wx.stop();
    }
  });
});

describe('the auth guard reuses a user row for a few seconds at most', () => {
  it('a change made outside this process (another replica, by hand) takes effect within AUTH_USER_TTL_MS', async () => {
    const me = await t.login('cache-outside');
    const id = (await t.http.get('/api/me').set(me)).body.id;
    expect((await t.http.get('/api/me').set(me)).status).toBe(200); // row now cached
    // raw SQL bypasses this process's TypeORM events: the cached row may still be used, but not for long
    await t.ds.query('UPDATE app_user SET disabled = 1 WHERE id = ?', [id]);
    await new Promise((r) => setTimeout(r, AUTH_USER_TTL_MS + 200));
    expect((await t.http.get('/api/me').set(me)).status).toBe(401);
  });

  it('a change made through this process takes effect at once, for a role as for disabling', async () => {
    const me = await t.login('cache-inside');
    const first = await t.http.get('/api/me').set(me);
    expect(first.body.role).toBe('resident');
    await t.ds.getRepository(User).update({ id: first.body.id }, { role: 'admin' });
    const promoted = await t.http.get('/api/me').set(me);
    expect([promoted.status, promoted.body.role]).toEqual([200, 'admin']);
    await t.ds.getRepository(User).update({ id: first.body.id }, { disabled: true });
    expect((await t.http.get('/api/me').set(me)).status).toBe(401);
  });

  it('requests of one user that miss the cache together share one read of the user row', async () => {
    const me = await t.login('cache-burst');
    expect((await t.http.get('/api/me').set(me)).status).toBe(200);
    await new Promise((r) => setTimeout(r, AUTH_USER_TTL_MS + 200)); // the cached row has run out
    // each read of a row takes 300 ms, so all eight requests miss while the first read is still out
    // the guard reads the row with one plain statement through the User repository
    const query = Repository.prototype.query;
    const userReads = jest.spyOn(Repository.prototype, 'query').mockImplementation(async function (this: Repository<any>, ...args) {
      await new Promise((r) => setTimeout(r, 300));
      return query.apply(this, args);
    });
    try {
      const answers = await Promise.all(Array.from({ length: 8 }, () => t.http.get('/api/orgs').set(me)));
      expect(answers.map((a) => a.status)).toEqual(Array(8).fill(200));
      const guardReads = userReads.mock.contexts.filter((repo) => (repo as Repository<User>).metadata.target === User);
      expect(guardReads).toHaveLength(1);
    } finally {
      userReads.mockRestore();
    }
  });

  it('verifies with the secret as a KeyObject (a string made jsonwebtoken throw a PEM parse per token), tokens unchanged', async () => {
    const jwt = t.app.get(JwtService);
    expect((jwt as unknown as { options: { secret: unknown } }).options.secret).toBeInstanceOf(KeyObject);
    // a token signed with the secret as plain text (as before) still passes
    const me = await t.login('key-object');
    const id = (await t.http.get('/api/me').set(me)).body.id;
    const cfg = t.app.get(AppConfig);
    const token = jwt.sign({ sub: id, role: 'resident' }, { secret: cfg.JWT_SECRET, algorithm: 'HS256', expiresIn: 600 });
    expect((await t.http.get('/api/me').set({ Authorization: `Bearer ${token}` })).body.id).toBe(id);
  });

  it('a tampered or expired token is refused even though a valid one was seen', async () => {
    const me = await t.login('cache-token');
    expect((await t.http.get('/api/me').set(me)).status).toBe(200);
    const token = me.Authorization.slice(7);
    const tampered = token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA');
    expect((await t.http.get('/api/me').set({ Authorization: `Bearer ${tampered}` })).status).toBe(401);
  });
});
