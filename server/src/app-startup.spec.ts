/**
 * What a start loads: the export, report, QR, queue and object-storage libraries wait for their first use
 * (docs/DECISIONS.md, "Heavy libraries on first use") — a container that scales from zero pays for them on a user's
 * first tap otherwise. The app here runs without Redis and with the local disk store, as the demo does.
 */
import { useTestApp } from './testing/use-test-app';

const ON_FIRST_USE = ['exceljs', 'pdfkit', 'docx', 'qrcode', 'bullmq', '@aws-sdk'];
const loaded = (lib: string) => Object.keys(require.cache).filter((k) => k.includes(`/node_modules/${lib}/`));

describe('start-up', () => {
  const t = useTestApp();

  it('a started app has not loaded the libraries that wait for their first use', () => {
    expect(t.app).toBeTruthy();
    expect(Object.fromEntries(ON_FIRST_USE.map((lib) => [lib, loaded(lib).length]))).toEqual(Object.fromEntries(ON_FIRST_USE.map((lib) => [lib, 0])));
  });

  it('an export loads exceljs when it is asked for', async () => {
    const res = await t.http.get('/api/hazards/export.xlsx').set(await t.as('town'));
    expect(res.status).toBe(200);
    expect(loaded('exceljs').length).toBeGreaterThan(0);
  });
});
