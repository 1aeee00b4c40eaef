import { createReadStream, rename as renameCb, writeFile as writeFileCb } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import { dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { assertSafeKey, ObjectStorage } from './storage';

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
  async put(key: string, body: Buffer): Promise<void> {
    const p = this.path(key);
    const dir = dirname(p);
    if (!this.dirs.has(dir)) {
      await mkdir(dir, { recursive: true });
      if (this.dirs.size > 10_000) this.dirs.clear();
      this.dirs.add(dir);
    }
    // write then rename: a reader never sees half a file
    const tmp = `${p}.${process.pid}.${Date.now()}.tmp`;
    try {
      await writeFile(tmp, body);
    } catch (err) {
      // the directory was removed underneath us (cleanup, tests): make it again once
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      this.dirs.delete(dir);
      await mkdir(dir, { recursive: true });
      await writeFile(tmp, body);
    }
    await rename(tmp, p);
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
