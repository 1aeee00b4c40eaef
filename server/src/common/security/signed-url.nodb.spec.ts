import { urlSignature, verifyUrlSignature } from './signed-url';

describe('signed URLs', () => {
  const secret = 'x'.repeat(32);
  const now = Date.parse('2026-06-01T00:00:00Z');
  const exp = now / 1000 + 3600;

  it('accepts its own link until it expires', () => {
    const sig = urlSignature(secret, 'media', '12:full', exp);
    expect(sig).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(verifyUrlSignature(secret, 'media', '12:full', String(exp), sig, now)).toBe(true);
    expect(verifyUrlSignature(secret, 'media', '12:full', String(exp), sig, (exp + 1) * 1000)).toBe(false);
  });

  it('refuses a link of one purpose for another, even with the same payload and expiry', () => {
    const media = urlSignature(secret, 'media', '12:signer', exp);
    expect(verifyUrlSignature(secret, 'pledge-image', '12:signer', String(exp), media, now)).toBe(false);
    expect(urlSignature(secret, 'pledge-image', '12:signer', exp)).not.toBe(media);
  });

  it('refuses a changed payload, expiry, secret or signature, and malformed input', () => {
    const sig = urlSignature(secret, 'media', '12:full', exp);
    expect(verifyUrlSignature(secret, 'media', '13:full', String(exp), sig, now)).toBe(false);
    expect(verifyUrlSignature(secret, 'media', '12:thumb', String(exp), sig, now)).toBe(false);
    expect(verifyUrlSignature(secret, 'media', '12:full', String(exp + 3600), sig, now)).toBe(false);
    expect(verifyUrlSignature('y'.repeat(32), 'media', '12:full', String(exp), sig, now)).toBe(false);
    expect(verifyUrlSignature(secret, 'media', '12:full', String(exp), 'A'.repeat(32), now)).toBe(false);
    expect(verifyUrlSignature(secret, 'media', '12:full', String(exp), sig.slice(1), now)).toBe(false);
    expect(verifyUrlSignature(secret, 'media', '12:full', `${exp}.0`, sig, now)).toBe(false);
    expect(verifyUrlSignature(secret, 'media', '12:full', undefined, sig, now)).toBe(false);
    expect(verifyUrlSignature(secret, 'media', '12:full', String(exp), undefined, now)).toBe(false);
  });
});
