import { firstXmlIllegal, XML_ILLEGAL } from './xml-text';

/** The check before its prefilter: the `u` regex alone. */
const before = (s: string): string | null => {
  const m = XML_ILLEGAL.exec(s);
  return m ? `U+${m[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}` : null;
};

describe('XML-illegal characters: the prefilter answers as the u regex alone did', () => {
  it('for every UTF-16 code unit alone, between text, and in every surrogate pairing', () => {
    const differ: number[] = [];
    let illegal = 0;
    for (let c = 0; c <= 0xffff; c++) {
      const ch = String.fromCharCode(c);
      for (const s of [ch, `防溺水${ch}提醒`, `a${ch}`]) if (firstXmlIllegal(s) !== before(s)) differ.push(c);
      if (before(ch)) illegal++;
    }
    expect(differ).toEqual([]);
    expect(illegal).toBe(29 + 2048 + 2); // C0 but tab, LF, CR; the surrogates alone; U+FFFE, U+FFFF
    for (const s of ['\uD83D\uDE00', '𠀀', '\uD83D', '\uDE00\uD83D', 'x\uD83D\uDE00\uDE00', '\uDBFF\uDFFF', '\uFFFD\uFFFE'])
      expect(firstXmlIllegal(s)).toBe(before(s));
  });

  it('a 20 KB base64 text has nothing illegal', () => {
    const b64 = Buffer.alloc(15_000, 0xab).toString('base64');
    expect(firstXmlIllegal(b64)).toBeNull();
    expect(firstXmlIllegal(`${b64}\u0001`)).toBe('U+0001');
  });
});
