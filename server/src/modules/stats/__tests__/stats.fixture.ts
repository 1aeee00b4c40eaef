/** What the field-work statistics specs share: one app per file, the town and village officers, a checked POST, a figure. */
import type { TestApp } from '../../../testing/test-app';
import { useTestApp } from '../../../testing/use-test-app';

export const YEAR = '2025';

export interface StatsFixture {
  t: TestApp;
  /** Auth headers of 镇安监办 张建国 and 柳林村's officer (made once per file). */
  f: { town: Record<string, string>; village: Record<string, string> };
  /** POST /api/<path> as `who` (the town by default); anything but 201 fails the test with the answer. */
  post(path: string, body: object, who?: Record<string, string>): Promise<any>;
  /** A summary's figure by key. */
  fig(s: any, key: string): number | undefined;
}

export function useStats(): StatsFixture {
  const t = useTestApp();
  const f = { town: {} as Record<string, string>, village: {} as Record<string, string> };
  beforeAll(async () => {
    f.town = await t.as('town');
    f.village = await t.as('village');
  });
  const post = async (path: string, body: object, who = f.town) => {
    const res = await t.http.post(`/api/${path}`).set(who).send(body);
    if (res.status !== 201) throw new Error(`${path} ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const fig = (s: any, key: string) => s.figures.find((x: any) => x.key === key)?.value;
  return { t, f, post, fig };
}
