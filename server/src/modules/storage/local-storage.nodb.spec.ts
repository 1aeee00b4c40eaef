/**
 * The local disk store: a put replaces a file whole (written aside, then renamed), a fresh key (one nothing refers
 * to yet, e.g. a signature's images) is written in place once and never replaces a file already there.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalStorage } from './local-storage';

describe('LocalStorage', () => {
  let dir: string;
  let storage: LocalStorage;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'xa-local-storage-'));
    storage = new LocalStorage(dir);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a fresh key in place, once: an existing file is refused and kept, no temporary file is left', async () => {
    await storage.put('pledges/7/a-guardian.png', Buffer.from('first'), 'image/png', { fresh: true });
    expect(readFileSync(join(dir, 'pledges/7/a-guardian.png'), 'utf8')).toBe('first');
    await expect(storage.put('pledges/7/a-guardian.png', Buffer.from('second'), 'image/png', { fresh: true })).rejects.toMatchObject({ code: 'EEXIST' });
    expect((await storage.get('pledges/7/a-guardian.png')).toString()).toBe('first');
    expect(readdirSync(join(dir, 'pledges/7'))).toEqual(['a-guardian.png']);

    // a plain put replaces the file whole, through a temporary file that does not stay
    await storage.put('pledges/7/a-guardian.png', Buffer.from('replaced'), 'image/png');
    expect((await storage.get('pledges/7/a-guardian.png')).toString()).toBe('replaced');
    expect(readdirSync(join(dir, 'pledges/7'))).toEqual(['a-guardian.png']);

    // the directory removed underneath (cleanup): made again, for both kinds of put
    rmSync(join(dir, 'pledges'), { recursive: true });
    await storage.put('pledges/7/b-guardian.png', Buffer.from('again'), 'image/png', { fresh: true });
    await storage.put('pledges/7/c-guardian.png', Buffer.from('plain'), 'image/png');
    expect(readdirSync(join(dir, 'pledges/7')).sort()).toEqual(['b-guardian.png', 'c-guardian.png']);
  });
});
