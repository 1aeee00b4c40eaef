/** supertest's parser for a download: `.buffer(true).parse(bytes)` leaves the file's bytes in `res.body` as a Buffer. */
export function bytes(res: any, cb: (err: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
}

/** The text of a .docx (its word/document.xml without the tags), to look for what the document says. */
export async function docxText(docx: Buffer): Promise<string> {
  // jszip comes with exceljs (a docx is a zip); borrowed from there rather than added as a dependency
  const JSZip = require(require.resolve('jszip', { paths: [require.resolve('exceljs')] }));
  const xml: string = await (await JSZip.loadAsync(docx)).file('word/document.xml')!.async('string');
  return xml.replace(/<[^>]+>/g, '');
}
