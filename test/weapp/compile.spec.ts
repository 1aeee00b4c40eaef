/**
 * The weapp build through WeChat's own compilers: every WXML file through `wcc` and every WXSS file through
 * `wcsc` (the Linux binaries the npm package miniprogram-compiler ships, called with the arguments its own
 * wrapper uses), then miniprogram-ci's offline checks — code analysis, code-quality scan and its local
 * compile — with the project attributes given locally so nothing needs the network.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildFiles, compilerBin, compileWxss, requireBuild, WEAPP_DIR, wxssErrors } from './build';

requireBuild();
const wxml = buildFiles('.wxml');
const wxs = buildFiles('.wxs');
const wxss = buildFiles('.wxss');

function run(name: 'wcc' | 'wcsc', args: string[]) {
  const r = spawnSync(compilerBin(name), args, { cwd: WEAPP_DIR, maxBuffer: 64 << 20 });
  return { status: r.status, stderr: r.stderr.toString(), stdout: r.stdout.toString() };
}

describe('WXML through wcc', () => {
  test.each(wxml)('%s compiles', (file) => {
    const r = run('wcc', ['-d', '-cc', '0', file, ...wxs, '-gn', '$gwx']);
    if (r.status !== 0) throw new Error(`wcc: ${file}: ${r.stderr.trim()}`);
  });

  test('the whole app compiles in one run, as DevTools does', () => {
    // what miniprogram-compiler's wxmlToJs does: every wxml (+ custom components) and wxs in one call
    const { wxmlToJs } = require('miniprogram-compiler');
    const js: string = wxmlToJs(WEAPP_DIR, { maxBuffer: 64 << 20 });
    expect(js).toContain('$gwx');
  });
});

describe('WXSS through wcsc', () => {
  // One run over every file, like DevTools: imports resolve (`@import "../sub-vendors.wxss"`) and each error
  // line names its file: `ERR: officer/sub-vendors.wxss(1:74): error at token `*``.
  test.each(wxss)('%s compiles', (file) => {
    const mine = wxssErrors(file);
    if (mine.length) throw new Error(`wcsc: ${mine.join('\n')}`);
  });

  test('wcsc accepts the whole app', () => {
    const all = compileWxss();
    if (all.status !== 0) throw new Error(`wcsc exited ${all.status}:\n${all.stderr}`);
    expect(all.stdout.length).toBeGreaterThan(0);
  });
});

describe('miniprogram-ci, offline', () => {
  const ci = require('miniprogram-ci');
  // `attr` is what ci would fetch with the upload key (servicewechat.com); given here, nothing goes online.
  // The key is never read by analyse/quality/compile; upload and preview are not run.
  const project = () =>
    new ci.Project({
      appid: 'wx0000000000000000',
      type: 'miniProgram',
      projectPath: WEAPP_DIR,
      privateKey: 'offline: no upload',
      ignores: ['node_modules/**/*', '**/*.map'],
      attr: async () => ci.DefaultProjectAttr,
    });

  test('code analysis: every module resolves', async () => {
    const r = await ci.analyseCode(project());
    const broken = r.modules
      .filter((m: { errors?: unknown[] }) => m.errors?.length)
      .map((m: { id: string; errors: unknown[] }) => `${m.id}: ${JSON.stringify(m.errors)}`);
    expect(broken).toEqual([]);
    const paths = r.files.map((f: { path: string }) => f.path);
    expect(paths).toContain('app.json');
  });

  test('code-quality scan passes every check', async () => {
    const r: { name: string; success: boolean; text: string }[] = await ci.checkCodeQuality(project());
    const failed = r.filter((x) => !x.success).map((x) => `${x.name}: ${x.text}`);
    expect(failed).toEqual([]);
    expect(r.map((x) => x.name)).toContain('PACKAGE_SIZE_LIMIT');
  });

  test('local compile (what an upload would send) includes every page', async () => {
    const out = mkdtempSync(join(tmpdir(), 'xa-weapp-ci-'));
    try {
      const files: Record<string, unknown> = await ci.getCompiledResult(
        { project: project(), setting: { es6: false, minify: false }, onProgressUpdate: () => undefined },
        join(out, 'compiled.zip'),
      );
      const app = JSON.parse(String(files['app.json']));
      const pages: string[] = [
        ...app.pages,
        ...(app.subPackages ?? []).flatMap((s: { root: string; pages: string[] }) => s.pages.map((p) => `${s.root.replace(/\/$/, '')}/${p}`)),
      ];
      for (const p of pages) for (const ext of ['.js', '.json', '.wxml']) expect(Object.keys(files)).toContain(p + ext);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
