/**
 * Files to and from the API, the same way on both platforms: the token is sent (and renewed once after a 401, then
 * the login page — through sendAuthed), a refusal becomes an ApiError carrying the server's Chinese message, and
 * the h5 / weapp difference lives here only.
 *   h5: fetch + Blob (downloads save through an <a download>; uploads are multipart FormData);
 *   weapp: wx.downloadFile / wx.uploadFile (WeChat deletes temporary files later: use a path at once).
 */
import Taro from '@tarojs/taro';
import { apiUrl } from '../services/config';
import { authHeader, sendAuthed, toApiError, withRetries } from '../services/request';

/** What the user picked: a File (h5) or a temporary path (weapp), with its name. */
export interface PickedFile {
  file: File | string;
  name: string;
}

/**
 * Picks a text file and answers its text, or null when nothing was picked (h5: a file input accepting `accept`;
 * weapp: a file from a chat with one of `extensions`, read with the file manager). A file over `maxBytes` throws `tooBig`.
 */
export async function pickTextFile(o: { accept: string; extensions: string[]; maxBytes: number; tooBig: string }): Promise<string | null> {
  if (process.env.TARO_ENV === 'h5') {
    const file = await new Promise<File | null>((resolve) => {
      const input = document.createElement('input');
      input.type = 'file';
      input.accept = o.accept;
      input.onchange = () => resolve(input.files?.[0] ?? null);
      input.click();
    });
    if (!file) return null;
    if (file.size > o.maxBytes) throw new Error(o.tooBig);
    return file.text();
  } else {
    const picked = await Taro.chooseMessageFile({ count: 1, type: 'file', extension: o.extensions });
    const f = picked.tempFiles[0];
    if (!f) return null;
    if (f.size > o.maxBytes) throw new Error(o.tooBig);
    return Taro.getFileSystemManager().readFileSync(f.path, 'utf8') as string;
  }
}

/** Base64 of an ASCII text (h5 btoa; weapp has no btoa). */
export function asciiBase64(text: string): string {
  if (process.env.TARO_ENV === 'h5') {
    return btoa(text);
  } else {
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    return Taro.arrayBufferToBase64(bytes.buffer);
  }
}

/** weapp: the JSON error body a refused download wrote into its temporary file (for the server's message). */
function errorBodyOf(tempFilePath: string | undefined): string {
  if (!tempFilePath) return '';
  try {
    return String(Taro.getFileSystemManager().readFileSync(tempFilePath, 'utf8')).slice(0, 2000);
  } catch {
    return '';
  }
}

/**
 * A binary the API serves behind the token (a QR code, an export). h5 → an object URL; weapp → a temporary file
 * path. `path` is the API path with its query string.
 */
export async function fetchFile(path: string): Promise<string> {
  const url = apiUrl(path);
  if (process.env.TARO_ENV === 'h5') {
    const res = await sendAuthed(
      () => fetch(url, { headers: authHeader() }),
      (r) => r.status,
    );
    if (!res.ok) throw toApiError(res.status, await res.text().catch(() => ''));
    return URL.createObjectURL(await res.blob());
  }
  const res = await sendAuthed(
    () => Taro.downloadFile({ url, header: authHeader() }),
    (r) => r.statusCode,
  );
  if (res.statusCode !== 200) throw toApiError(res.statusCode, errorBodyOf(res.tempFilePath));
  return res.tempFilePath;
}

/** What wx.openDocument opens (a .csv is not among them: it is sent as a file, opened by the viewer as it can). */
const DOC_TYPES = ['pdf', 'xlsx', 'docx', 'xls', 'doc', 'ppt', 'pptx'] as const;

/**
 * Downloads a document and hands it to the user: h5 saves it as `filename`; weapp opens it in WeChat's viewer, from
 * where it can be forwarded or opened in another app. The file type comes from the name's extension.
 */
export async function openFile(path: string, filename: string): Promise<void> {
  const local = await fetchFile(path);
  if (process.env.TARO_ENV === 'h5') {
    const a = document.createElement('a');
    a.href = local;
    a.download = filename;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(local), 60_000);
    return;
  }
  const ext = filename.slice(filename.lastIndexOf('.') + 1).toLowerCase();
  const fileType = (DOC_TYPES as readonly string[]).includes(ext) ? (ext as (typeof DOC_TYPES)[number]) : undefined;
  await Taro.openDocument({ filePath: local, showMenu: true, ...(fileType ? { fileType } : {}) });
}

/**
 * POSTs a file as the multipart field `file` and answers the JSON reply. A write is not retried unless
 * `retrySafe` (the server takes it at most once: a dry run, or an upload it deduplicates).
 */
export async function uploadFile<T>(path: string, picked: PickedFile, opts: { retrySafe?: boolean } = {}): Promise<T> {
  const url = apiUrl(path);
  const { file, name } = picked;
  if (process.env.TARO_ENV === 'h5' && typeof file !== 'string') {
    return withRetries(async () => {
      const form = new FormData();
      form.append('file', file, file.name || name);
      const res = await sendAuthed(
        () => fetch(url, { method: 'POST', headers: authHeader(), body: form }),
        (r) => r.status,
      );
      const body = await res.json().catch(() => ({}));
      if (!res.ok) throw toApiError(res.status, body);
      return body as T;
    }, !!opts.retrySafe);
  }
  return withRetries(async () => {
    const res = await sendAuthed(
      () => Taro.uploadFile({ url, filePath: file as string, name: 'file', header: authHeader() }),
      (r) => r.statusCode,
    );
    if (res.statusCode < 200 || res.statusCode >= 300) throw toApiError(res.statusCode, res.data);
    return JSON.parse(res.data) as T;
  }, !!opts.retrySafe);
}

/** Picks one file with one of `extensions` (no dots): h5 through a file input, weapp from a chat (chooseMessageFile). */
export async function pickFile(extensions: string[]): Promise<PickedFile | null> {
  if (process.env.TARO_ENV === 'h5') {
    return new Promise<PickedFile | null>((resolve) => {
      const input = document.createElement('input');
      input.type = 'file';
      input.accept = extensions.map((e) => `.${e}`).join(',');
      input.onchange = () => {
        const f = input.files?.[0];
        resolve(f ? { file: f, name: f.name } : null);
      };
      input.click();
    });
  }
  let picked: Taro.chooseMessageFile.SuccessCallbackResult;
  try {
    picked = await Taro.chooseMessageFile({ count: 1, type: 'file', extension: extensions });
  } catch (e) {
    // the user closed the chat list: nothing picked, nothing to say
    if (/cancel/.test(String((e as { errMsg?: string })?.errMsg ?? e))) return null;
    throw e;
  }
  const f = picked.tempFiles[0];
  return f ? { file: f.path, name: f.name } : null;
}
