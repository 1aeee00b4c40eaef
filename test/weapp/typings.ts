/**
 * WeChat's API surface as the npm package miniprogram-api-typings documents it, read with the TypeScript
 * compiler (no hand-written list): the members of `wx`, of `FileSystemManager`, and the methods
 * `wx.request` accepts.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as ts from 'typescript';

const FILE = join(dirname(require.resolve('miniprogram-api-typings/package.json')), 'types', 'wx', 'lib.wx.api.d.ts');

function interfaces(): Map<string, ts.InterfaceDeclaration[]> {
  const src = ts.createSourceFile(FILE, readFileSync(FILE, 'utf8'), ts.ScriptTarget.Latest, true);
  const out = new Map<string, ts.InterfaceDeclaration[]>();
  const visit = (n: ts.Node) => {
    if (ts.isInterfaceDeclaration(n)) out.set(n.name.text, [...(out.get(n.name.text) ?? []), n]);
    ts.forEachChild(n, visit);
  };
  visit(src);
  return out;
}

const IFACES = interfaces();

function members(name: string): Set<string> {
  const decls = IFACES.get(name);
  if (!decls) throw new Error(`miniprogram-api-typings: no interface ${name}`);
  const names = new Set<string>();
  for (const d of decls) for (const m of d.members) if (m.name && (ts.isIdentifier(m.name) || ts.isStringLiteral(m.name))) names.add(m.name.text);
  return names;
}

/** Every documented `wx.*` name (functions and properties such as `env`). */
export const WX_APIS: ReadonlySet<string> = members('Wx');
export const FS_APIS: ReadonlySet<string> = members('FileSystemManager');

/** `wx` APIs that answer a Promise when called without success/fail/complete (`PromisifySuccessResult`). */
export const PROMISE_APIS: ReadonlySet<string> = (() => {
  const out = new Set<string>();
  for (const d of IFACES.get('Wx')!) {
    for (const m of d.members) {
      if (m.name && ts.isIdentifier(m.name) && ts.isMethodSignature(m) && m.type?.getText().includes('PromisifySuccessResult')) out.add(m.name.text);
    }
  }
  return out;
})();

/** The literal values of `RequestOption.method`: OPTIONS, GET, HEAD, POST, PUT, DELETE, TRACE, CONNECT. */
export const REQUEST_METHODS: readonly string[] = (() => {
  const decl = IFACES.get('RequestOption')![0];
  const m = decl.members.find((x) => x.name && ts.isIdentifier(x.name) && x.name.text === 'method') as ts.PropertySignature;
  const t = m.type as ts.UnionTypeNode;
  return t.types.map((x) => ((x as ts.LiteralTypeNode).literal as ts.StringLiteral).text);
})();
