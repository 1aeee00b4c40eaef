import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { assertSafeKey, ObjectStorage } from './storage';

/** Any S3-compatible store; Tencent COS: endpoint `https://cos.<region>.myqcloud.com`, virtual-hosted style. */
export class S3Storage implements ObjectStorage {
  readonly driver = 's3' as const;
  private readonly client: S3Client;
  constructor(private readonly opts: { endpoint: string; region?: string; bucket: string; accessKeyId?: string; secretAccessKey?: string }) {
    this.client = new S3Client({
      endpoint: opts.endpoint,
      region: opts.region ?? 'ap-guangzhou',
      credentials: opts.accessKeyId ? { accessKeyId: opts.accessKeyId, secretAccessKey: opts.secretAccessKey ?? '' } : undefined,
      forcePathStyle: false,
    });
  }
  /** One PUT is atomic already: a fresh key (see ObjectStorage) needs nothing more. */
  async put(key: string, body: Buffer, contentType: string): Promise<void> {
    assertSafeKey(key);
    await this.client.send(new PutObjectCommand({ Bucket: this.opts.bucket, Key: key, Body: body, ContentType: contentType }));
  }
  async get(key: string): Promise<Buffer> {
    const s = await this.stream(key);
    const chunks: Buffer[] = [];
    for await (const c of s) chunks.push(Buffer.from(c));
    return Buffer.concat(chunks);
  }
  async stream(key: string): Promise<Readable> {
    assertSafeKey(key);
    const r = await this.client.send(new GetObjectCommand({ Bucket: this.opts.bucket, Key: key }));
    return r.Body as Readable;
  }
  async delete(key: string): Promise<void> {
    assertSafeKey(key);
    await this.client.send(new DeleteObjectCommand({ Bucket: this.opts.bucket, Key: key }));
  }
}
