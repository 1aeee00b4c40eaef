import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * The layout rules of docs/DEVELOPING.md that a reader relies on: a class name means one class across the server
 * (Swagger names schemas by class, and a reader finds a class by its name), and a module's request/response
 * classes live in its `dto/` folder.
 */
const SRC = __dirname;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'migrations' || e.name === 'node_modules' ? [] : sources(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

describe('server layout', () => {
  const files = sources(SRC).map((p) => ({ path: relative(SRC, p), text: readFileSync(p, 'utf8') }));

  it('no two exported classes share a name', () => {
    const where = new Map<string, string[]>();
    for (const f of files) {
      for (const m of f.text.matchAll(/^export\s+(?:abstract\s+)?class\s+([A-Za-z_$][\w$]*)/gm)) {
        where.set(m[1], [...(where.get(m[1]) ?? []), f.path]);
      }
    }
    expect(where.size).toBeGreaterThan(50); // the scan reads the sources
    const shared = [...where].filter(([, paths]) => paths.length > 1).map(([name, paths]) => `${name}: ${paths.join(', ')}`);
    expect(shared).toEqual([]);
  });

  it("a module's validated request classes live in its dto/ folder", () => {
    const outside = files.filter((f) => f.path.startsWith('modules/') && !f.path.includes('/dto/') && /from 'class-validator'/.test(f.text)).map((f) => f.path);
    expect(files.some((f) => f.path.includes('/dto/') && /from 'class-validator'/.test(f.text))).toBe(true);
    expect(outside).toEqual([]);
  });
});
