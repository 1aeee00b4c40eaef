import { boundaryBox, squareAround } from '@xiangan/shared';
import { createTestApp, TestApp } from '../../testing/test-app';
import { isMysql } from '../../common/db/dialect';
import { OrgUnit } from './org-unit.entity';
import { locateUnit, UNIT_LOCATE_CHECK_MS, UnitLocator } from './org-locate';

/**
 * The boundaries held in memory (UnitLocator) answer what the database answers (locateUnit), and a change to a
 * unit is seen: at once when made through this process, within UNIT_LOCATE_CHECK_MS when made elsewhere.
 */
describe('UnitLocator: the unit a position lies in, from boundaries held in memory', () => {
  let t: TestApp;
  let locator: UnitLocator;
  // 柳林村 and its two grids, given square boundaries (≈ 600 m across) beside the village centre as the demo seed does
  let village: { id: number; lat: number; lng: number };
  const grid1 = () => t.seed.org.g_liulin_1;
  const at = (dLat: number, dLng: number) => ({ lat: village.lat + dLat, lng: village.lng + dLng });
  const id = async (p: { lat: number; lng: number }) => (await locator.locate(p))?.id ?? null;
  const orgs = () => t.ds.getRepository(OrgUnit);
  /** Moves grid 1's boundary inside a transaction left open (uncommitted) until `release()`; `tx` ends with it. */
  const moveInOpenTransaction = async (boundary: ReturnType<typeof squareAround>) => {
    let release!: () => void;
    const wait = new Promise<void>((r) => (release = r));
    let changed!: () => void;
    const changedInside = new Promise<void>((r) => (changed = r));
    const tx = t.ds.transaction(async (m) => {
      await m.getRepository(OrgUnit).update(grid1().id, { boundary, ...boundaryBox(boundary) });
      changed();
      await wait;
    });
    await changedInside;
    return { release, tx };
  };

  /** Puts grid 1's boundary back around `p` (a plain update, committed) and checks `p` is found in it again. */
  const moveBackAround = async (p: { lat: number; lng: number }) => {
    const back = squareAround(p, 300);
    await orgs().update(grid1().id, { boundary: back, ...boundaryBox(back) });
    expect(await id(p)).toBe(grid1().id);
  };

  beforeAll(async () => {
    t = await createTestApp();
    locator = t.app.get(UnitLocator);
    const v = t.seed.org.v_liulin;
    village = { id: v.id, lat: v.lat!, lng: v.lng! };
    for (const [g, d] of [
      [t.seed.org.g_liulin_1, 0.003],
      [t.seed.org.g_liulin_2, -0.003],
    ] as const) {
      const b = squareAround(at(d, -d), 300);
      await orgs().update(g.id, { boundary: b, ...boundaryBox(b) });
    }
  });
  afterAll(async () => {
    await t.close();
  });
  afterEach(() => jest.restoreAllMocks());

  it('answers what the database answers, point by point (nested boundaries: the deepest unit)', async () => {
    // the village gets a boundary around both its grids: inside a grid the grid wins, elsewhere the village
    const around = squareAround({ lat: village.lat, lng: village.lng }, 900);
    await orgs().update(village.id, { boundary: around, ...boundaryBox(around) });
    const points = [];
    for (let i = -12; i <= 12; i++) for (let j = -12; j <= 12; j++) points.push(at(i * 0.0008, j * 0.0008));
    const seen = new Set<number | null>();
    for (const p of points) {
      const mine = await locator.locate(p);
      expect(mine).toEqual(await locateUnit(t.ds, p));
      seen.add(mine?.id ?? null);
    }
    // the sweep crossed both grids, the village around them and the land outside it
    expect(seen).toEqual(new Set([t.seed.org.g_liulin_1.id, t.seed.org.g_liulin_2.id, village.id, null]));
    await orgs().update(village.id, { boundary: null, minLat: null, maxLat: null, minLng: null, maxLng: null });
  });

  it('reads nothing from the database while its copy is fresh', async () => {
    const p = at(0.003, -0.003); // the centre of 第一网格
    expect(await id(p)).toBe(grid1().id);
    const query = jest.spyOn(t.ds, 'query');
    for (let i = 0; i < 50; i++) expect(await id(p)).toBe(grid1().id);
    expect(query).not.toHaveBeenCalled();
  });

  it('sees a change made through TypeORM at once: a boundary moved, cleared, a unit archived', async () => {
    const p = at(0.003, -0.003);
    const far = { lat: village.lat + 0.05, lng: village.lng + 0.05 };
    expect(await id(p)).toBe(grid1().id);
    expect(await id(far)).toBeNull();
    const moved = squareAround(far, 300);
    await orgs().update(grid1().id, { boundary: moved, ...boundaryBox(moved) });
    expect(await id(p)).toBeNull();
    expect(await id(far)).toBe(grid1().id);
    await orgs().update(grid1().id, { archived: true });
    expect(await id(far)).toBeNull();
    await orgs().update(grid1().id, { archived: false });
    expect(await id(far)).toBe(grid1().id);
    await orgs().update(grid1().id, { boundary: null, minLat: null, maxLat: null, minLng: null, maxLng: null });
    expect(await id(far)).toBeNull();
    await moveBackAround(p);
  });

  it('a change inside a transaction is seen once it commits, even when the copy was read while it was open', async () => {
    const p = at(0.003, -0.003);
    const elsewhere = squareAround({ lat: village.lat + 0.07, lng: village.lng }, 300);
    expect(await id(p)).toBe(grid1().id);
    const { release, tx } = await moveInOpenTransaction(elsewhere);
    // on MariaDB the copy is read again here from another connection, before the commit, and must not be kept
    // (the embedded SQLite has one connection: a read here already sees the transaction's change)
    if (isMysql(t.ds)) expect(await id(p)).toBe(grid1().id);
    release();
    await tx;
    expect(await id(p)).toBeNull();
    await moveBackAround(p);
  });

  it('a change is seen at its own commit, whatever other transactions commit while it is open (MariaDB)', async () => {
    if (!isMysql(t.ds)) return; // the embedded SQLite runs one transaction at a time
    const p = at(0.003, -0.003);
    const elsewhere = squareAround({ lat: village.lat + 0.08, lng: village.lng }, 300);
    expect(await id(p)).toBe(grid1().id);
    const { release, tx } = await moveInOpenTransaction(elsewhere);
    // another transaction, touching no unit, commits first; the copy is read again before the first commits
    await t.ds.transaction((m) => m.query('SELECT 1'));
    expect(await id(p)).toBe(grid1().id);
    release();
    await tx;
    expect(await id(p)).toBeNull();
    await moveBackAround(p);
  });

  it('sees a change made by another process (plain SQL, updatedAt stamped) within UNIT_LOCATE_CHECK_MS', async () => {
    const p = at(0.003, -0.003);
    expect(await id(p)).toBe(grid1().id);
    const elsewhere = squareAround({ lat: village.lat + 0.09, lng: village.lng }, 300);
    const box = boundaryBox(elsewhere);
    // what another server process's TypeORM sends (MariaDB's ON UPDATE would stamp updatedAt by itself)
    await t.ds.query('UPDATE org_unit SET boundary = ?, minLat = ?, maxLat = ?, minLng = ?, maxLng = ?, updatedAt = CURRENT_TIMESTAMP WHERE id = ?', [
      JSON.stringify(elsewhere),
      box.minLat,
      box.maxLat,
      box.minLng,
      box.maxLng,
      grid1().id,
    ]);
    const now = Date.now();
    const clock = jest.spyOn(Date, 'now').mockReturnValue(now + UNIT_LOCATE_CHECK_MS + 1);
    expect(await id(p)).toBeNull();
    expect(await id({ lat: village.lat + 0.09, lng: village.lng })).toBe(grid1().id);
    clock.mockRestore();
    await moveBackAround(p);
  });

  it('a unit whose box is missing is never answered, like the database', async () => {
    const p = at(0.003, -0.003);
    await t.ds.query('UPDATE org_unit SET minLat = NULL, updatedAt = CURRENT_TIMESTAMP WHERE id = ?', [grid1().id]);
    locator.invalidate();
    expect(await locateUnit(t.ds, p)).toBeNull();
    expect(await id(p)).toBeNull();
    await moveBackAround(p);
  });
});
