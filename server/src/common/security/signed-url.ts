import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Capability links (`…?exp=<unix s>&sig=<32 chars>`) for bytes an <Image> must load without a bearer header.
 * Each purpose signs with its own key derived from the server secret, so a link made for one purpose can never
 * open another, whatever its path and payload say. Add a purpose here to sign a new kind of link.
 */
export type SignedUrlPurpose = 'media' | 'pledge-image';

const keys = new Map<string, Buffer>();

function keyFor(secret: string, purpose: SignedUrlPurpose): Buffer {
  const id = `${purpose}\u0000${secret}`;
  let k = keys.get(id);
  if (!k) keys.set(id, (k = createHmac('sha256', secret).update(`xiangan signed-url key: ${purpose}`).digest()));
  return k;
}

/** The 32-character signature of `payload` (what the link names: id, variant…) valid until `exp` (unix seconds). */
export function urlSignature(secret: string, purpose: SignedUrlPurpose, payload: string, exp: number): string {
  return createHmac('sha256', keyFor(secret, purpose)).update(`${payload}|${exp}`).digest('base64url').slice(0, 32);
}

/** Does `sig` sign `payload` for `purpose` until `exp`, and is `exp` still ahead of `now`? Constant-time compare. */
export function verifyUrlSignature(
  secret: string,
  purpose: SignedUrlPurpose,
  payload: string,
  exp: string | undefined,
  sig: string | undefined,
  now = Date.now(),
): boolean {
  if (!exp || !sig || !/^\d{1,12}$/.test(exp)) return false;
  const e = Number(exp);
  if (e * 1000 < now) return false;
  const want = Buffer.from(urlSignature(secret, purpose, payload, e));
  const got = Buffer.from(sig);
  return want.length === got.length && timingSafeEqual(want, got);
}
