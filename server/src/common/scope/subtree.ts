/**
 * The subtree predicate, the one way a unit's subtree is selected. Unit paths are `/1/6/23/`, so a subtree is
 * every path that starts with the unit's own: `column LIKE '/1/6/%'` (an index range scan on `orgPath`).
 * Every form below escapes `%`, `_` and the escape character itself the same way, with `!` as the LIKE escape
 * (the same on MySQL/MariaDB, where a backslash is special inside literals, and on SQLite, which has no default
 * escape); `within()` is the same rule for one path in memory. `ScopeService` builds on these; nothing else
 * writes `LIKE` against a path.
 */

/** The LIKE escape character of every pattern the server writes. */
export const LIKE_ESCAPE = '!';

/** `s` with the LIKE wildcards (and the escape character) escaped, to be matched literally. */
export function escapeLike(s: string): string {
  return s.replace(/[!%_]/g, (c) => `${LIKE_ESCAPE}${c}`);
}

/** The LIKE pattern of the subtree under `path`. */
export function subtreePattern(path: string): string {
  return `${escapeLike(path)}%`;
}

/** Is `path` inside the subtree under `root` (the unit itself included)? */
export function within(path: string | null | undefined, root: string): boolean {
  return !!path && path.startsWith(root);
}

/** The condition for `?`-placeholder SQL (stats sources, ledger plans): `{ sql, params }`, spread params in order. */
export function subtreeSql(column: string, path: string): { sql: string; params: [string] } {
  return { sql: `${column} LIKE ? ESCAPE '${LIKE_ESCAPE}'`, params: [subtreePattern(path)] };
}

/** The same condition with a named parameter, for a QueryBuilder's `where`/`andWhere`/`orWhere`. */
export function subtreeWhere(column: string, path: string, param = 'scopePrefix'): [string, Record<string, string>] {
  return [`${column} LIKE :${param} ESCAPE '${LIKE_ESCAPE}'`, { [param]: subtreePattern(path) }];
}

/**
 * The condition between two columns: `column` lies under the unit whose path is in `pathColumn` (a join over
 * units), the path escaped in SQL the same way.
 */
export function subtreeJoinSql(column: string, pathColumn: string, mysql: boolean): string {
  const esc = `REPLACE(REPLACE(REPLACE(${pathColumn}, '!', '!!'), '%', '!%'), '_', '!_')`;
  return `${column} LIKE ${mysql ? `CONCAT(${esc}, '%')` : `${esc} || '%'`} ESCAPE '${LIKE_ESCAPE}'`;
}

/** Several subtrees at once (an audience of units): `(a OR b …)` with its params, or a false condition for none. */
export function subtreesSql(column: string, paths: string[]): { sql: string; params: string[] } {
  if (!paths.length) return { sql: '1 = 0', params: [] };
  const parts = paths.map((p) => subtreeSql(column, p));
  return { sql: `(${parts.map((p) => p.sql).join(' OR ')})`, params: parts.map((p) => p.params[0]) };
}
