import { createHash } from 'node:crypto';

export const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/** JSON with object keys sorted at every level: the same record always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`)
    .join(',')}}`;
}

/** What one link of the signature chain commits to. Every stored column of the signature is in here. */
export interface ChainRecord {
  campaignId: number;
  seq: number;
  rosterEntryId: number | null;
  groupName: string | null;
  dedupeKey: string;
  signerUserId: number;
  templateVersionId: number;
  contentHash: string;
  fields: Record<string, string>;
  images: { role: string; key: string; sha256: string }[];
  signedAt: Date;
}

export function chainRecordOf(r: ChainRecord): Record<string, unknown> {
  return {
    v: 1,
    campaignId: r.campaignId,
    seq: r.seq,
    rosterEntryId: r.rosterEntryId,
    groupName: r.groupName,
    dedupeKey: r.dedupeKey,
    signerUserId: r.signerUserId,
    templateVersionId: r.templateVersionId,
    contentHash: r.contentHash,
    fields: r.fields,
    images: r.images.map((i) => ({ role: i.role, key: i.key, sha256: i.sha256 })),
    signedAt: new Date(r.signedAt).toISOString(),
  };
}

/** chainHash = SHA-256(prevHash + canonical JSON of the record). */
export function chainHash(prevHash: string, r: ChainRecord): string {
  return sha256(prevHash + canonicalJson(chainRecordOf(r)));
}

/** What a void link commits to. */
export interface VoidRecord {
  campaignId: number;
  seq: number;
  signatureId: number;
  signatureSeq: number;
  signatureHash: string;
  reason: string;
  voidedById: number;
  voidedAt: Date;
}

/** A void link's hash: SHA-256(prevHash + canonical JSON of the void record), typed apart from signatures. */
export function voidChainHash(prevHash: string, r: VoidRecord): string {
  return sha256(
    prevHash +
      canonicalJson({
        v: 1,
        type: 'void',
        campaignId: r.campaignId,
        seq: r.seq,
        signatureId: r.signatureId,
        signatureSeq: r.signatureSeq,
        signatureHash: r.signatureHash,
        reason: r.reason,
        voidedById: r.voidedById,
        voidedAt: new Date(r.voidedAt).toISOString(),
      }),
  );
}

const norm = (s: string | null | undefined) =>
  String(s ?? '')
    .normalize('NFKC')
    .replace(/\s+/g, '')
    .toLowerCase();
const digits = (s: string | null | undefined) => String(s ?? '').replace(/\D/g, '');

/** Who a pledge is for: name + class (or nothing) + phone. Roster entries and signatures share it. */
export function identityKey(name: string | null | undefined, group: string | null | undefined, phone: string | null | undefined): string {
  return sha256(`${norm(name)}|${norm(group)}|${digits(phone)}`);
}

/** The name a pledge is about, from whatever fields the template has. */
export function subjectName(fields: Record<string, string>): string {
  return fields.studentName ?? fields.unitName ?? fields.signerName ?? fields.principalName ?? '';
}

const CN_DIGITS: Record<string, number> = { 零: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };
function cnNumber(s: string): number {
  if (s === '十') return 10;
  const [a, b] = s.split('十');
  if (s.includes('十')) return (a ? CN_DIGITS[a] : 1) * 10 + (b ? CN_DIGITS[b] : 0);
  return Number([...s].map((c) => CN_DIGITS[c]).join(''));
}

/** 一年级二班 before 一年级十班 before 二年级一班: Chinese and Arabic numerals compared as numbers. */
export function compareGroups(a: string, b: string): number {
  const key = (s: string) => s.replace(/[零一二两三四五六七八九十]+/g, (m) => String(cnNumber(m)).padStart(4, '0')).replace(/\d+/g, (m) => m.padStart(4, '0'));
  return key(a).localeCompare(key(b), 'zh-Hans-CN');
}
