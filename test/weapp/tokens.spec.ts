/**
 * The design tokens stay one source: the colours code needs outside SCSS (native map markers, canvas charts) in
 * styles/colors.ts equal those of styles/tokens.scss, and officer and administration pages name no colour of their
 * own (a hex literal there is a second red for "major" waiting to happen). Reads the sources; needs no build.
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

test('officer and administration pages take their colours from the tokens', () => {
  const found: string[] = [];
  for (const dir of ['officer', 'admin']) {
    for (const f of files(join(SRC, dir))) {
      readFileSync(f, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          const code = line.replace(/\/\/.*$/, '');
          const hex = code.match(/#[0-9a-fA-F]{3,8}\b/);
          if (hex && !/&#/.test(code)) found.push(`${relative(SRC, f)}:${i + 1} ${hex[0]}`);
        });
    }
  }
  expect(found).toEqual([]);
});
