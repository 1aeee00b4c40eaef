// The part of yauzl 3 (https://github.com/thejoshwolfe/yauzl) that common/upload/zip-limits.ts uses.
declare module 'yauzl' {
  import { EventEmitter } from 'node:events';
  import { Readable } from 'node:stream';
  export interface Options {
    lazyEntries?: boolean;
    decodeStrings?: boolean;
    validateEntrySizes?: boolean;
    strictFileNames?: boolean;
    autoClose?: boolean;
  }
  export interface Entry {
    fileName: string;
    compressedSize: number;
    uncompressedSize: number;
    compressionMethod: number;
    generalPurposeBitFlag: number;
    relativeOffsetOfLocalHeader: number;
    isEncrypted(): boolean;
    canDecodeFileData(): boolean;
  }
  export interface ZipFile extends EventEmitter {
    entryCount: number;
    readEntry(): void;
    close(): void;
    openReadStream(entry: Entry, cb: (err: Error | null, stream: Readable) => void): void;
    readLocalFileHeader(entry: Entry, options: { minimal: true }, cb: (err: Error | null, h: { fileDataStart: number }) => void): void;
  }
  export function fromBuffer(buf: Buffer, options: Options, cb: (err: Error | null, zip: ZipFile) => void): void;
}
