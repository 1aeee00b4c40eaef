import { parseJsonBody, parseJsonPlain as plain } from './json-depth';

const outcome = (f: () => unknown) => {
  try {
    const v = f();
    // order-sensitive, and own `__proto__` keys shown as keys
    return { ok: JSON.stringify(v), proto: v && typeof v === 'object' ? Object.getPrototypeOf(v) === Object.prototype || Array.isArray(v) : null };
  } catch (e) {
    return { err: (e as Error).constructor.name };
  }
};

const image = 'data:image/png;base64,' + Buffer.alloc(15_000, 7).toString('base64');
const big = (extra: object) => ({ signatures: [{ role: 'guardian', image }], ...extra });
const bodies: [string, Buffer][] = [
  ['ASCII', Buffer.from(JSON.stringify(big({ fields: { studentName: 'Li Lei' } })))],
  ['a child’s name beside an image', Buffer.from(JSON.stringify(big({ fields: { studentName: '王小明', className: '三年级二班', relation: '母亲' } })))],
  ['Chinese keys, in order', Buffer.from(JSON.stringify(big({ fields: { 姓名: '张三', a: 'x', 班级: '一班', z: ['甲', '乙', { 丙: '丁' }] } })))],
  ['four-byte characters and U+2028', Buffer.from(JSON.stringify(big({ note: '𠀀𝄞😀\u2028end' })))],
  ['a \\u escape beside raw UTF-8', Buffer.from(JSON.stringify(big({})).replace('{', '{"e":"\\u00e9é",'))],
  [
    'invalid UTF-8 inside and at the end of a string',
    Buffer.concat([
      Buffer.from(JSON.stringify(big({})).slice(0, -1) + ',"bad":"a'),
      Buffer.from([0xe5, 0x22, 0x2c, 0x22, 0xff, 0xfe]),
      Buffer.from('":"x\xff"}', 'latin1'),
    ]),
  ],
  ['an own __proto__ key beside a Chinese one', Buffer.from(JSON.stringify(big({})).replace('{', '{"__proto__":{"x":"是"},"名":"值",'))],
  ['a top-level array', Buffer.from(JSON.stringify([image, '中文', { 键: ['值'] }]))],
  ['leading blanks and a BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(big({ a: '中' })))])],
  ['leading ideographic space', Buffer.from('\u3000' + JSON.stringify(big({ a: '中' })))],
  ['NBSP only, long', Buffer.from('\u00a0'.repeat(3000))],
  ['a string at the top', Buffer.from(JSON.stringify('中'.repeat(2000)))],
  ['cut short', Buffer.from(JSON.stringify(big({ a: '中' })).slice(0, -2))],
  ['control byte in a string', Buffer.from(JSON.stringify(big({ a: '中' })).replace('中', '中\u0001'))],
  ['empty', Buffer.alloc(0)],
  ['small non-ASCII', Buffer.from('{"a":"中"}')],
  [
    'a long message in Chinese',
    Buffer.from(
      JSON.stringify({ title: '防溺水', body: Array.from({ length: 40 }, () => ({ type: 'p', text: '请家长看护好孩子，不私自下水游泳。'.repeat(6) })) }),
    ),
  ],
];

/** Every body gives what the plain UTF-8 decode (the parser before, kept as parseJsonPlain) gives, error or value. */
describe('JSON bodies: read as latin1, strings decoded after, the same as the plain UTF-8 decode', () => {
  it.each(bodies)('%s', (_name, b) => {
    expect(outcome(() => parseJsonBody(b))).toEqual(outcome(() => plain(b)));
  });

  it('a body mostly of Chinese text takes the plain decode (slower read as latin1)', () => {
    const b = bodies[bodies.length - 1][1];
    const spy = jest.spyOn(Buffer.prototype, 'toString');
    parseJsonBody(b);
    expect(spy.mock.calls.map((c) => c[0])).toEqual(['utf8']);
    spy.mockRestore();
  });

  it('big non-ASCII bodies take the latin1 path (the case the change is for)', () => {
    const b = bodies[1][1];
    expect(b.length).toBeGreaterThan(4096);
    const spy = jest.spyOn(Buffer.prototype, 'toString');
    parseJsonBody(b);
    // the whole body once as latin1; then only its three Chinese strings, each on its own, as UTF-8
    expect(spy.mock.calls.map((c, i) => [c[0], (spy.mock.contexts[i] as Buffer).length === b.length])).toEqual([
      ['latin1', true],
      ['utf8', false],
      ['utf8', false],
      ['utf8', false],
    ]);
    spy.mockRestore();
  });
});
