import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { assertSafeKey, ObjectStorage } from './storage';

export class LocalStorage implements ObjectStorage {
  readonly driver = 'local' as const;
  private readonly root: string;
  constructor(dir: string) {
    this.root = resolve(dir);
  }
  private path(key: string) {
    assertSafeKey(key);
    return join(this.root, key);
  }
  async put(key: string, body: Buffer): Promise<void> {
    const p = this.path(key);
    await mkdir(dirname(p), { recursive: true });
    // write then rename: a reader never sees half a file
    const tmp = `${p}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(tmp, body);
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
