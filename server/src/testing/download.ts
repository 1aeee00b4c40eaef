/** supertest's parser for a download: `.buffer(true).parse(bytes)` leaves the file's bytes in `res.body` as a Buffer. */
export function bytes(res: any, cb: (err: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
}
