import { createReadStream, rename as renameCb, writeFile as writeFileCb } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import { dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { assertSafeKey, ObjectStorage, PutOptions } from './storage';

// the callback forms: fs/promises' writeFile goes through a FileHandle and cost ~4× the CPU per small file
const writeFile = promisify(writeFileCb);
const rename = promisify(renameCb);

export class LocalStorage implements ObjectStorage {
  readonly driver = 'local' as const;
  private readonly root: string;
  /** Directories this process has made (or found): a put into one of them skips the mkdir walk. */
  private readonly dirs = new Set<string>();
  constructor(dir: string) {
    this.root = resolve(dir);
  }
  private path(key: string) {
    assertSafeKey(key);
    return join(this.root, key);
  }
  async put(key: string, body: Buffer, _contentType?: string, opts: PutOptions = {}): Promise<void> {
    const p = this.path(key);
    const dir = dirname(p);
    if (!this.dirs.has(dir)) {
      await mkdir(dir, { recursive: true });
      if (this.dirs.size > 10_000) this.dirs.clear();
      this.dirs.add(dir);
    }
    // write then rename, so a reader never sees half a file; a fresh key has no reader yet: written in place, once
    // (a signature's images: one rename and one thread-pool round trip less per image)
    const target = opts.fresh ? p : `${p}.${process.pid}.${Date.now()}.tmp`;
    const flag = opts.fresh ? 'wx' : 'w';
    try {
      try {
        await writeFile(target, body, { flag });
      } catch (err) {
        // the directory was removed underneath us (cleanup, tests): make it again once
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        this.dirs.delete(dir);
        await mkdir(dir, { recursive: true });
        await writeFile(target, body, { flag });
      }
    } catch (err) {
      // a fresh file cut short (disk full) is not left under its key; one that was there already is not ours
      if (opts.fresh && (err as NodeJS.ErrnoException).code !== 'EEXIST') await rm(p, { force: true }).catch(() => undefined);
      throw err;
    }
    if (!opts.fresh) await rename(target, p);
  }
  async get(key: string): Promise<Buffer> {
    return readFile(this.path(key));
  }
  async stream(key: string): Promise<Readable> {
    return createReadStream(this.path(key));
  }
  async delete(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }
}
