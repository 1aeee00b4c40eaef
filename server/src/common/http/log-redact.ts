/**
 * Query parameters whose values never reach the request log: signed-URL signatures, search text (people type
 * children's and villagers' names into `q`), login codes and tokens, phones, names, openids.
 * Compared case-insensitively; `*phone*`, `*token*`, `*name*` and `*secret*` variants are covered too.
 */
export const REDACTED_QUERY_KEYS = [
  'sig',
  'signature',
  'q',
  'query',
  'keyword',
  'search',
  'token',
  'access_token',
  'code',
  'phone',
  'name',
  'openid',
  'unionid',
  'password',
  'secret',
  'idcard',
  'key',
  'echostr',
  'nonce',
];

const SENSITIVE = new Set(REDACTED_QUERY_KEYS);
const PATTERN = /phone|token|name|secret|passw|sig/i;

export const REDACTED = '[REDACTED]';

/** `/api/x?q=张三&page=2&sig=abc` → `/api/x?q=[REDACTED]&page=2&sig=[REDACTED]` (keys and other values kept). */
export function redactUrl(url: string | undefined): string | undefined {
  if (!url) return url;
  const qi = url.indexOf('?');
  if (qi < 0) return url;
  const path = url.slice(0, qi);
  const parts = url
    .slice(qi + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq < 0) return pair;
      let key = pair.slice(0, eq);
      try {
        key = decodeURIComponent(key.replace(/\+/g, ' '));
      } catch {
        /* a malformed key is checked as sent */
      }
      const base = key.replace(/\[.*$/, '').toLowerCase(); // q[0]=… and q[]=… count as q
      return SENSITIVE.has(base) || PATTERN.test(base) ? `${pair.slice(0, eq)}=${REDACTED}` : pair;
    });
  return `${path}?${parts.join('&')}`;
}
