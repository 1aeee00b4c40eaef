import { Readable } from 'node:stream';

/** Where uploaded bytes live: local disk by default, S3-compatible object storage (Tencent COS) in production. */
export interface ObjectStorage {
  readonly driver: 'local' | 's3';
  /**
   * `fresh`: the key was just made (it has a random part) and nothing refers to it until this resolves, so no reader
   * can see it half written: the local disk writes it in place (no temporary file and rename) and refuses to replace
   * a file already there (EEXIST).
   */
  put(key: string, body: Buffer, contentType: string, opts?: PutOptions): Promise<void>;
  get(key: string): Promise<Buffer>;
  stream(key: string): Promise<Readable>;
  delete(key: string): Promise<void>;
}

export interface PutOptions {
  fresh?: boolean;
}

export const OBJECT_STORAGE = Symbol('OBJECT_STORAGE');

/** Object keys are built by the server only (never from a file name a client sent). */
export function assertSafeKey(key: string): void {
  if (!/^[a-z0-9][a-z0-9/_.-]{0,200}$/i.test(key) || key.includes('..')) throw new Error(`unsafe storage key: ${key}`);
}
