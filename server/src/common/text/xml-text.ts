/**
 * Characters XML 1.0 cannot hold (https://www.w3.org/TR/xml/#charsets): C0 controls other than tab, LF and CR;
 * lone surrogates (U+D800–U+DFFF not in a pair); U+FFFE and U+FFFF. One of them in a cell makes an xlsx/docx
 * file malformed. They are refused at input (createValidationPipe) and stripped when a file is written.
 */
// with the `u` flag a surrogate pair is one code point (allowed), a lone surrogate is matched by \uD800-\uDFFF
export const XML_ILLEGAL = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const XML_ILLEGAL_ALL = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** The text without the characters XML 1.0 cannot hold. */
export function stripXmlIllegal(s: string): string {
  return XML_ILLEGAL.test(s) ? s.replace(XML_ILLEGAL_ALL, '') : s;
}

/**
 * What could be illegal, without the `u` flag (code units, not code points): a control character, any surrogate,
 * U+FFFE, U+FFFF. Nothing of it in the text → nothing illegal; ~40 % less CPU than XML_ILLEGAL over a 20 KB text
 * (a signature image's base64, measured), which then decides only for the rest (a surrogate may be half of a pair).
 */
// eslint-disable-next-line no-control-regex -- finding control characters is its purpose
const XML_SUSPECT = /[\x00-\x08\x0B\x0C\x0E-\x1F\uD800-\uDFFF\uFFFE\uFFFF]/;

/** `U+FFFF` for the first illegal character of `s`, or null. */
export function firstXmlIllegal(s: string): string | null {
  if (!XML_SUSPECT.test(s)) return null;
  const m = XML_ILLEGAL.exec(s);
  if (!m) return null;
  return `U+${m[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Strips recursively through arrays and plain objects (a row of cell values, rich text runs); other values as they are. */
export function xmlSafe<T>(v: T): T {
  if (typeof v === 'string') return stripXmlIllegal(v) as unknown as T;
  if (Array.isArray(v)) return v.map(xmlSafe) as unknown as T;
  if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, xmlSafe(x)])) as T;
  }
  return v;
}

/**
 * Every string (and object key) in a request value holding an XML-illegal character, by its path
 * (`body[0].text`); at most `max` of them.
 */
export function findXmlIllegal(value: unknown, path = '', max = 20): { path: string; char: string }[] {
  const out: { path: string; char: string }[] = [];
  const seen = new Set<unknown>();
  const walk = (v: unknown, p: string, depth: number) => {
    if (out.length >= max || depth > 64) return;
    if (typeof v === 'string') {
      const c = firstXmlIllegal(v);
      if (c) out.push({ path: p || 'value', char: c });
      return;
    }
    if (!v || typeof v !== 'object' || seen.has(v) || Buffer.isBuffer(v)) return;
    seen.add(v);
    if (Array.isArray(v)) {
      v.forEach((x, i) => walk(x, `${p}[${i}]`, depth + 1));
      return;
    }
    for (const [k, x] of Object.entries(v)) {
      const kp = p ? `${p}.${k}` : k;
      const c = firstXmlIllegal(k);
      if (c) out.push({ path: kp, char: c });
      walk(x, kp, depth + 1);
    }
  };
  walk(value, path, 0);
  return out;
}

/**
 * The second line, when a file is written: wraps `obj[method]` so its first argument goes through xmlSafe —
 * `stripOnWrite(ws, 'addRow')` for an exceljs sheet, `stripOnWrite(doc, 'text')` for a pdfkit document.
 * Rows stored before the input check (or arriving by another path) then still make a well-formed file.
 */
export function stripOnWrite<T extends object>(obj: T, method: keyof T & string): T {
  const fn = (obj as Record<string, unknown>)[method] as (...args: unknown[]) => unknown;
  (obj as Record<string, unknown>)[method] = function (this: unknown, first: unknown, ...rest: unknown[]) {
    return fn.call(this, xmlSafe(first), ...rest);
  };
  return obj;
}
