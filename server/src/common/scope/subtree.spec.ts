import type { AuthUser } from '../auth/auth-user';
import { createTestApp, TestApp } from '../../testing/test-app';
import { ScopeService } from './scope.service';
import { escapeLike, subtreeJoinSql, subtreeSql, subtreesSql, subtreeWhere, within } from './subtree';

/**
 * Every form of the subtree predicate selects exactly the paths that start with the unit's own, on the real
 * database (SQLite and MariaDB): `%`, `_` and the escape character in a path are matched literally, never as
 * wildcards.
 */
describe('the subtree predicate (common/scope/subtree.ts, ScopeService)', () => {
  let t: TestApp;
  let scope: ScopeService;
  const paths = ['/1/', '/1%/', '/1%/3/', '/1_/', '/1_/4/', '/1!/', '/1!/5/', '/1x/', '/1x/6/', '/12/', '/1!%/', '/2/'];
  const officer = (orgPath: string): AuthUser => ({ id: 1, role: 'town_officer', orgId: 1, orgPath }) as AuthUser;
  const expected = (root: string) => paths.filter((p) => p.startsWith(root)).sort();
  const roots = ['/1%/', '/1_/', '/1!/', '/1!%/', '/1/', '/1x/'];

  beforeAll(async () => {
    t = await createTestApp();
    scope = t.app.get(ScopeService);
    await t.ds.query('CREATE TABLE scope_probe (id INT NOT NULL PRIMARY KEY, path VARCHAR(64) NOT NULL)');
    for (const [i, p] of paths.entries()) await t.ds.query('INSERT INTO scope_probe (id, path) VALUES (?, ?)', [i + 1, p]);
  });
  afterAll(async () => {
    await t.ds.query('DROP TABLE scope_probe');
    await t.close();
  });

  const sorted = (rows: { path: string }[]) => rows.map((r) => r.path).sort();
  const probe = () => t.ds.createQueryBuilder().select('p.path', 'path').from('scope_probe', 'p');

  it.each(roots)('ScopeService.restrict by a user whose unit is %s', async (root) => {
    expect(sorted(await scope.restrict(probe(), 'p.path', officer(root)).getRawMany())).toEqual(expected(root));
  });

  it.each(roots)('ScopeService.restrict / where / sql by the path %s', async (root) => {
    expect(sorted(await scope.restrict(probe(), 'p.path', root).getRawMany())).toEqual(expected(root));
    expect(
      sorted(
        await probe()
          .where(...scope.where('p.path', root)!)
          .getRawMany(),
      ),
    ).toEqual(expected(root));
    const s = scope.sql('path', root)!;
    expect(sorted(await t.ds.query(`SELECT path FROM scope_probe WHERE ${s.sql}`, s.params))).toEqual(expected(root));
  });

  it.each(roots)('the pure forms for %s: ? SQL, named parameters, several subtrees, in memory', async (root) => {
    const s = subtreeSql('path', root);
    expect(sorted(await t.ds.query(`SELECT path FROM scope_probe WHERE ${s.sql}`, s.params))).toEqual(expected(root));
    expect(
      sorted(
        await probe()
          .where(...subtreeWhere('p.path', root, 'x'))
          .getRawMany(),
      ),
    ).toEqual(expected(root));
    const many = subtreesSql('path', [root, '/2/']);
    expect(sorted(await t.ds.query(`SELECT path FROM scope_probe WHERE ${many.sql}`, many.params))).toEqual(
      [...new Set([...expected(root), ...expected('/2/')])].sort(),
    );
    expect(paths.filter((p) => within(p, root)).sort()).toEqual(expected(root));
    expect(paths.filter((p) => scope.covers(officer(root), p)).sort()).toEqual(expected(root));
  });

  it('the join form escapes the path column in SQL the same way', async () => {
    const mysql = t.ds.options.type === 'mysql' || t.ds.options.type === 'mariadb';
    const rows: { root: string; path: string }[] = await t.ds.query(
      `SELECT r.path AS root, p.path AS path FROM scope_probe r JOIN scope_probe p ON ${subtreeJoinSql('p.path', 'r.path', mysql)}`,
    );
    for (const root of paths) {
      expect(
        rows
          .filter((r) => r.root === root)
          .map((r) => r.path)
          .sort(),
      ).toEqual(expected(root));
    }
  });

  it('no subtree at all selects nothing; an admin is not limited; a user without a unit sees nothing', async () => {
    const none = subtreesSql('path', []);
    expect(await t.ds.query(`SELECT path FROM scope_probe WHERE ${none.sql}`, none.params)).toEqual([]);
    const admin = { id: 9, role: 'admin', orgId: null, orgPath: null } as unknown as AuthUser;
    expect(sorted(await scope.restrict(probe(), 'p.path', admin).getRawMany())).toEqual([...paths].sort());
    expect(scope.sql('path', admin)).toBeNull();
    const orphan = { id: 8, role: 'town_officer', orgId: null, orgPath: null } as unknown as AuthUser;
    expect(await scope.restrict(probe(), 'p.path', orphan).getRawMany()).toEqual([]);
    expect(escapeLike('/a%b_c!/')).toBe('/a!%b!_c!!/');
  });
});
