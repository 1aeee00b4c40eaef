/**
 * The design tokens stay one source: the colours code needs outside SCSS (native map markers, canvas charts) in
 * styles/colors.ts equal those of styles/tokens.scss, and no page, component or module names a colour of its own (a
 * hex or rgba literal is a second red for "major" waiting to happen). Reads the sources; needs no build.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const SRC = join(__dirname, '../../miniapp/src');
const camel = (name: string) => name.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

function tokens(): Record<string, string> {
  const scss = readFileSync(join(SRC, 'styles/tokens.scss'), 'utf8');
  const out: Record<string, string> = {};
  for (const m of scss.matchAll(/^\$([a-z0-9-]+):\s*(#[0-9a-f]{3,6})\b/gim)) out[camel(m[1])] = m[2].toLowerCase();
  return out;
}

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : /\.(tsx?|scss)$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

test('styles/colors.ts holds the colours of tokens.scss under the same names', () => {
  const { COLOR } = require('../../miniapp/src/styles/colors') as { COLOR: Record<string, string> };
  const scss = tokens();
  expect(Object.keys(COLOR).length).toBeGreaterThan(5);
  for (const [name, value] of Object.entries(COLOR)) expect([name, value.toLowerCase()]).toEqual([name, scss[name]]);
});

test('every page, component and module takes its colours from the tokens', () => {
  const own = new Set(['styles/tokens.scss', 'styles/colors.ts']);
  const found: string[] = [];
  for (const f of files(SRC)) {
    const name = relative(SRC, f).split('\\').join('/');
    if (own.has(name)) continue;
    readFileSync(f, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        const code = line.replace(/\/\/.*$/, '');
        // a hex colour, or rgb()/rgba()/hsl() written with numbers (rgba($token, 0.5) is fine)
        const hit = code.match(/#[0-9a-fA-F]{3,8}\b/) ?? code.match(/\b(?:rgba?|hsla?)\(\s*[\d.]/);
        if (hit && !/&#/.test(code)) found.push(`${name}:${i + 1} ${hit[0]}`);
      });
  }
  expect(found).toEqual([]);
});
