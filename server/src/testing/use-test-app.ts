/**
 * A test app for a describe block, made in its beforeAll and closed in its afterAll, that a spec (or a feature's
 * shared fixture in `__tests__/`) can hold at describe level: every member forwards to the app once it is made.
 */
import { createTestApp, TestApp, TestAppOptions } from './test-app';

export interface UseTestAppHooks {
  /** Made before the app (e.g. a fake WeChat server whose address goes into the app's env): its options. */
  before?: () => Promise<TestAppOptions>;
  /** Run after the app is closed (e.g. stopping that fake server). */
  after?: () => Promise<void>;
}

export function useTestApp(opts: TestAppOptions = {}, hooks: UseTestAppHooks = {}): TestApp {
  let made: TestApp | null = null;
  beforeAll(async () => {
    made = await createTestApp(hooks.before ? { ...opts, ...(await hooks.before()) } : opts);
  });
  afterAll(async () => {
    try {
      await made?.close();
    } finally {
      made = null;
      await hooks.after?.();
    }
  });
  return new Proxy({} as TestApp, {
    get(_, key) {
      if (!made) throw new Error(`test app not made yet (or closed): read .${String(key)} inside a test or hook`);
      const v = (made as any)[key];
      return typeof v === 'function' ? v.bind(made) : v;
    },
  });
}
