import { createTestApp } from '../testing/test-app';
it('t', async () => {
  for (let i = 0; i < 3; i++) {
    const t = Date.now();
    const a = await createTestApp();
    const t2 = Date.now();
    await a.close();
    console.log('create', t2 - t, 'close', Date.now() - t2);
  }
});
