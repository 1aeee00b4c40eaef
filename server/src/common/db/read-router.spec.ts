import { DataSource } from 'typeorm';
import { ConfigError, loadConfig } from '../../config/app-config';
import { createTestApp, TestApp } from '../../testing/test-app';
import { GUARDS_METADATA, INTERCEPTORS_METADATA } from '@nestjs/common/constants';
import { ApplicationConfig } from '@nestjs/core';
import { HazardsController } from '../../modules/hazards/hazards.controller';
import { RiskSitesController } from '../../modules/registers/registers.controller';
import { IdempotencyInterceptor, IdempotencyKeyGuard } from '../idempotency/idempotency.interceptor';
import { ReadRouter } from './read-router';

// The routing itself (replica, read-your-writes, lag, failure) is proved against a real MariaDB replication pair
// in test/api/read-replicas.spec.ts; here: the configuration, and that without replicas nothing changes.
describe('read replica configuration', () => {
  const primary = 'mysql://app:pw@10.0.0.1:3306/xiangan';
  it('takes comma-separated mysql:// URLs with the limits', () => {
    const cfg = loadConfig({
      DATABASE_URL: primary,
      DATABASE_REPLICA_URLS: ' mysql://ro:pw@10.0.0.2:3306/xiangan , mysql://ro@10.0.0.3/xiangan ',
      DATABASE_REPLICA_MAX_LAG_SECONDS: '8',
    });
    expect(cfg.replicaUrls).toEqual(['mysql://ro:pw@10.0.0.2:3306/xiangan', 'mysql://ro@10.0.0.3/xiangan']);
    expect(cfg.DATABASE_REPLICA_MAX_LAG_SECONDS).toBe(8);
    expect(cfg.DATABASE_REPLICA_STICKY_SECONDS).toBe(5);
  });
  it('refuses a URL that is not mysql://…/database, naming the variable and hiding the password', () => {
    expect(() => loadConfig({ DATABASE_URL: primary, DATABASE_REPLICA_URLS: 'postgres://ro:secret@h/db' })).toThrow(/DATABASE_REPLICA_URLS/);
    expect(() => loadConfig({ DATABASE_URL: primary, DATABASE_REPLICA_URLS: 'mysql://ro:secret@h:3306' })).toThrow(ConfigError);
    try {
      loadConfig({ DATABASE_URL: primary, DATABASE_REPLICA_URLS: 'mysql://ro:secret@h:3306' });
    } catch (e) {
      expect((e as Error).message).not.toContain('secret');
    }
  });
  it('refuses replicas without a MySQL primary, and a negative lag limit', () => {
    expect(() => loadConfig({ DATABASE_REPLICA_URLS: 'mysql://ro@h/db' })).toThrow(/DATABASE_REPLICA_URLS: needs DATABASE_URL/);
    expect(() => loadConfig({ DATABASE_URL: primary, DATABASE_REPLICA_MAX_LAG_SECONDS: '-1' })).toThrow(/DATABASE_REPLICA_MAX_LAG_SECONDS/);
  });
});

describe('replica checks', () => {
  it('runs one check at a time: a check due while one is still waiting on a slow replica joins it', async () => {
    const cfg = loadConfig({ DATABASE_URL: 'mysql://app@10.0.0.1:3306/xiangan', DATABASE_REPLICA_URLS: 'mysql://ro@10.0.0.2:3306/xiangan' });
    const router = new ReadRouter({} as DataSource, cfg);
    // the replica's pool, answering SHOW SLAVE STATUS after 200 ms (a slow replica on a busy machine)
    let queries = 0;
    const replica = (router as unknown as { replicas: { ds: unknown }[] }).replicas[0];
    replica.ds = {
      isInitialized: true,
      query: async () => {
        queries++;
        await new Promise((r) => setTimeout(r, 200));
        return [{ Slave_IO_Running: 'Yes', Slave_SQL_Running: 'Yes', Seconds_Behind_Master: 0 }];
      },
      destroy: async () => undefined,
    };
    await Promise.all([router.check(), router.check(), router.check()]);
    expect(queries).toBe(1);
    expect(router.health()[0]).toMatchObject({ ok: true, lagSeconds: 0 });
    await router.check();
    expect(queries).toBe(2);
  });
});

describe('without replicas', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('routes nothing and health lists no replicas', async () => {
    expect(t.app.get(ReadRouter).enabled).toBe(false);
    const res = await t.http.get('/api/health');
    expect(res.status).toBe(200);
    expect(res.body.replicas).toBeUndefined();
    const ledger = await t.http.get('/api/hazards').set(await t.as('town'));
    expect(ledger.status).toBe(200);
  });
  // Each interceptor costs every request it wraps an AsyncResource and an rxjs pipe: without replicas none is global,
  // a `@ReplicaRead()` handler has none, an `@Idempotent()` one only its own, and one whose record keeps the key
  // (submit, signing) none: only a guard checks the key's format there.
  it('puts no interceptor on a request that does not need one', async () => {
    expect(ReadRouter.configured(t.cfg)).toBe(false);
    expect(t.app.get(ApplicationConfig).getGlobalInterceptors()).toEqual([]);
    const on = (method: keyof HazardsController) => Reflect.getMetadata(INTERCEPTORS_METADATA, HazardsController.prototype[method]) ?? [];
    expect(on('list')).toEqual([]);
    expect(on('create')).toEqual([]);
    expect(Reflect.getMetadata(INTERCEPTORS_METADATA, RiskSitesController.prototype.patrol)).toEqual([IdempotencyInterceptor]);
    expect(Reflect.getMetadata(GUARDS_METADATA, HazardsController.prototype.create)).toEqual([IdempotencyKeyGuard]);
    // and the idempotent route still replays a retry, and still refuses a malformed key before the body is looked at
    const headers = { ...(await t.as('resident')), 'Idempotency-Key': 'interceptor-check-1' };
    const body = { category: 'fire', description: '拦截器检查：同一个请求编号只记一次', orgId: t.seed.org.v_hekou.id };
    const first = await t.http.post('/api/hazards').set(headers).send(body);
    const again = await t.http.post('/api/hazards').set(headers).send(body);
    expect(first.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    const bad = await t.http
      .post('/api/hazards')
      .set({ ...headers, 'Idempotency-Key': 'bad key!' })
      .send({});
    expect(bad.status).toBe(400);
    expect(bad.body.message).toEqual(['请求编号格式不对，请刷新后重试']);
  });
});

it('counts replicas as configured only on MySQL with DATABASE_REPLICA_URLS', () => {
  expect(ReadRouter.configured(loadConfig({ DATABASE_URL: 'mysql://app@10.0.0.1:3306/x', DATABASE_REPLICA_URLS: 'mysql://ro@10.0.0.2:3306/x' }))).toBe(true);
  expect(ReadRouter.configured(loadConfig({ DATABASE_URL: 'mysql://app@10.0.0.1:3306/x' }))).toBe(false);
  expect(ReadRouter.configured(loadConfig({}))).toBe(false);
});
