/**
 * WeChat message push (消息推送) signatures and 安全模式 decryption, as the mini-program message-push
 * document describes them (developers.weixin.qq.com/miniprogram/dev/framework/server-ability/message-push.html):
 *
 *  - `signature`     = sha1 of the lexicographically sorted strings (Token, timestamp, nonce), concatenated
 *  - `msg_signature` = the same over (Token, timestamp, nonce, Encrypt)
 *  - Encrypt = base64(AES-256-CBC(random 16 B + msg length 4 B big-endian + msg + appid)), key =
 *    base64decode(EncodingAESKey + "="), IV = the key's first 16 bytes, PKCS#7 padding to 32-byte blocks.
 *
 * Pure functions, no Nest: the spec checks them against the document's own worked examples.
 */
import { createDecipheriv, createHash, timingSafeEqual } from 'node:crypto';

/** sha1 hex of the sorted, concatenated parts (sorted by UTF-16 code unit, as the examples sort). */
export function pushSignature(...parts: string[]): string {
  return createHash('sha1')
    .update([...parts].sort().join(''))
    .digest('hex');
}

/** Constant-time comparison of a received hex signature with the expected one. */
export function signatureMatches(expected: string, received: string | undefined): boolean {
  if (!received) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(received.toLowerCase());
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The 32-byte AES key of a 43-character EncodingAESKey. */
export function aesKeyOf(encodingAesKey: string): Buffer {
  const key = Buffer.from(encodingAesKey + '=', 'base64');
  if (encodingAesKey.length !== 43 || key.length !== 32) throw new Error('EncodingAESKey must be 43 base64 characters');
  return key;
}

export class PushDecryptError extends Error {
  constructor(
    message: string,
    /** `appid`: decrypted fine but for another mini-program; `cipher`: not a message of this key at all. */
    readonly kind: 'cipher' | 'appid',
  ) {
    super(message);
  }
}

/**
 * Decrypts `Encrypt` and returns the message text. Throws PushDecryptError when the ciphertext is not
 * a whole number of AES blocks, the padding or length field is wrong (wrong key, garbage), or the
 * trailing appid is not `appid`.
 */
export function decryptPush(encrypt: string, encodingAesKey: string, appid: string): string {
  const key = aesKeyOf(encodingAesKey);
  const data = Buffer.from(encrypt, 'base64');
  if (!data.length || data.length % 16 !== 0) throw new PushDecryptError('ciphertext is not whole AES blocks', 'cipher');
  let full: Buffer;
  try {
    const d = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
    d.setAutoPadding(false); // WeChat pads to 32-byte blocks; Node's PKCS#7 check assumes 16
    full = Buffer.concat([d.update(data), d.final()]);
  } catch {
    throw new PushDecryptError('ciphertext does not decrypt', 'cipher');
  }
  const pad = full[full.length - 1];
  if (pad < 1 || pad > 32 || pad > full.length || !full.subarray(full.length - pad).every((b) => b === pad)) {
    throw new PushDecryptError('bad PKCS#7 padding', 'cipher');
  }
  const plain = full.subarray(0, full.length - pad);
  if (plain.length < 20) throw new PushDecryptError('plaintext too short', 'cipher');
  const len = plain.readUInt32BE(16);
  if (20 + len > plain.length) throw new PushDecryptError('length field exceeds the plaintext', 'cipher');
  const from = plain.subarray(20 + len).toString('utf8');
  if (from !== appid) throw new PushDecryptError(`appid inside the ciphertext is "${from.slice(0, 40)}", not this mini-program's`, 'appid');
  return plain.subarray(20, 20 + len).toString('utf8');
}
