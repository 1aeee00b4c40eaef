/**
 * Photos that outlive the page: a draft must still have its photos after the app was closed.
 *  - weapp: a chosen photo is a temporary file that WeChat deletes → it is compressed and kept with
 *    `FileSystemManager.saveFile` (WeChat allows 10 MB of saved files per mini-program: we keep under 9 MB).
 *  - h5: a chosen photo is a `blob:` URL that dies with the page → its bytes are kept in IndexedDB.
 *
 *   const kept = await keepPhoto(tempPath);       // → 'wxfile://…' (weapp) or 'idb:…' (h5): store this in the draft
 *   const src = await photoUrl(kept);              // something <Image src> and uploadFile can read now
 *   await dropPhoto(kept);                         // when the draft is sent or deleted
 *
 * A photo that is gone (the user cleared WeChat's storage, the browser's site data) rejects with PhotoMissingError,
 * never with a network error, so the page can say "choose it again" instead of "no signal".
 */
import Taro from '@tarojs/taro';
import { createStore, del, get, set } from 'idb-keyval';

/** Budget for saved draft photos in weapp (WeChat's limit for all saved files is 10 MB). */
export const SAVED_PHOTOS_MAX_BYTES = 9 * 1024 * 1024;
/** weapp compresses a photo when it keeps it (it uploads as it is); h5 keeps the original bytes (compressed at upload). */
export const keptPhotosAreCompressed = process.env.TARO_ENV === 'weapp';
const IDB_PREFIX = 'idb:';

export class PhotoMissingError extends Error {
  constructor(readonly index?: number) {
    super(`${index !== undefined ? `第${index + 1}张` : ''}照片已经找不到了（可能被手机清理了），请删掉它重新选择照片`);
    this.name = 'PhotoMissingError';
  }
}

/** The photo could not be kept (storage full). */
export class PhotoStorageError extends Error {
  constructor(message = '手机里存草稿照片的空间满了，请先提交或删除以前的草稿') {
    super(message);
    this.name = 'PhotoStorageError';
  }
}

// ---- h5: IndexedDB --------------------------------------------------------------------------------

let idb: ReturnType<typeof createStore> | null = null;
const store = () => (idb ??= createStore('xiangan-drafts', 'photos'));

async function keepInBrowser(blobUrl: string): Promise<string> {
  let blob: Blob;
  try {
    blob = await (await fetch(blobUrl)).blob();
  } catch {
    throw new PhotoMissingError();
  }
  const id = `${IDB_PREFIX}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  try {
    await set(id, blob, store());
  } catch {
    throw new PhotoStorageError('浏览器不让保存草稿照片（可能是无痕模式或空间不够）');
  }
  return id;
}

const liveUrls = new Map<string, string>();

async function urlInBrowser(ref: string): Promise<string> {
  const live = liveUrls.get(ref);
  if (live) return live;
  let blob: Blob | undefined;
  try {
    blob = await get<Blob>(ref, store());
  } catch {
    blob = undefined;
  }
  if (!blob) throw new PhotoMissingError();
  const url = URL.createObjectURL(blob);
  liveUrls.set(ref, url);
  return url;
}

// ---- weapp: saved files ---------------------------------------------------------------------------

const fsm = () => Taro.getFileSystemManager();

function fileSize(path: string): Promise<number> {
  return new Promise((resolve, reject) =>
    fsm().getFileInfo({ filePath: path, success: (r) => resolve(r.size), fail: reject } as Taro.FileSystemManager.getFileInfoOption),
  );
}

function savedBytes(): Promise<number> {
  return new Promise((resolve) =>
    fsm().getSavedFileList({
      success: (r) => resolve((r.fileList ?? []).reduce((a, f) => a + (f.size || 0), 0)),
      fail: () => resolve(0),
    } as Taro.FileSystemManager.getSavedFileListOption),
  );
}

function exists(path: string): Promise<boolean> {
  return new Promise((resolve) => fsm().access({ path, success: () => resolve(true), fail: () => resolve(false) }));
}

async function keepInWeapp(tempPath: string): Promise<string> {
  if (!(await exists(tempPath))) throw new PhotoMissingError();
  let src = tempPath;
  try {
    // ≤ 1600 px, quality 70: a phone photo shrinks to a few hundred KB, so a few drafts fit in the 10 MB
    const r = await Taro.compressImage({ src: tempPath, quality: 70, compressedWidth: 1600 } as Taro.compressImage.Option);
    if (r.tempFilePath) src = r.tempFilePath;
  } catch {
    /* keep the original */
  }
  const size = await fileSize(src).catch(() => 0);
  if ((await savedBytes()) + size > SAVED_PHOTOS_MAX_BYTES) throw new PhotoStorageError();
  return new Promise((resolve, reject) =>
    fsm().saveFile({
      tempFilePath: src,
      success: (r) => resolve(r.savedFilePath),
      fail: (e) => reject(/exceed|limit|max/i.test(e?.errMsg ?? '') ? new PhotoStorageError() : new PhotoMissingError()),
    } as Taro.FileSystemManager.SaveFileOption),
  );
}

// ---- both -----------------------------------------------------------------------------------------

/** Keep a just-chosen photo (temp path / blob URL) for later; returns the reference to store in the draft. */
export function keepPhoto(path: string): Promise<string> {
  return process.env.TARO_ENV === 'h5' ? keepInBrowser(path) : keepInWeapp(path);
}

/** A path <Image> and uploadFile can read now. Rejects with PhotoMissingError when the photo is gone. */
export async function photoUrl(ref: string): Promise<string> {
  if (ref.startsWith(IDB_PREFIX)) return urlInBrowser(ref);
  if (process.env.TARO_ENV === 'h5' && ref.startsWith('blob:')) {
    // a blob: URL of an earlier page is dead: uploading it would hang, so say so at once
    const alive = await fetch(ref).then(
      () => true,
      () => false,
    );
    if (!alive) throw new PhotoMissingError();
  }
  if (process.env.TARO_ENV === 'weapp' && !(await exists(ref))) throw new PhotoMissingError();
  return ref;
}

/** Delete a kept photo (missing is fine). */
export async function dropPhoto(ref: string | undefined): Promise<void> {
  if (!ref) return;
  try {
    if (ref.startsWith(IDB_PREFIX)) {
      const url = liveUrls.get(ref);
      if (url) URL.revokeObjectURL(url);
      liveUrls.delete(ref);
      await del(ref, store());
    } else {
      await new Promise<void>((resolve) => fsm().removeSavedFile({ filePath: ref, success: () => resolve(), fail: () => resolve() }));
    }
  } catch {
    /* already gone */
  }
}
