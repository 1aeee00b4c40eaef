import { PLEDGE_CHAIN_GENESIS, PLEDGE_VERIFY_IMAGE_PROBLEMS_LISTED, PledgeImageProblem, PledgeVerifyResult } from '@xiangan/shared';
import { DataSource } from 'typeorm';
import { ObjectStorage } from '../storage/storage';
import { chainHash, sha256, voidChainHash } from './pledge-chain';
import { versionContentHash } from './pledge-templates.service';
import { PledgeCampaign, PledgeSignature, PledgeTemplateVersion, PledgeVoid } from './pledge.entities';
import { readSignatureImage } from './signature-art';

/** Signatures read from the database per page (memory stays bounded however long the chain). */
export const VERIFY_PAGE_ROWS = 1000;
/** Signature images read from storage at the same time. */
export const VERIFY_IMAGE_READS = 8;

type Broken = NonNullable<PledgeVerifyResult['firstBroken']>;

/**
 * Recomputes a campaign's chain from the genesis hash: each record's content hash, its link to the one
 * before, the wording it was signed on, and finally the campaign's stored head; names the first broken link.
 * With `images` (the default at the endpoint) it also re-reads every signature PNG from object storage and
 * compares its SHA-256 with the one the chain holds, listing every image missing or altered (by signature
 * id and seq) — the image check goes on past a broken link, so an officer sees all of them at once.
 */
export async function verifyCampaignChain(ds: DataSource, storage: ObjectStorage, c: PledgeCampaign, images: boolean): Promise<PledgeVerifyResult> {
  const campaignId = c.id;
  const versions = new Map<number, PledgeTemplateVersion>();
  let prev = PLEDGE_CHAIN_GENESIS;
  let expectSeq = 1;
  let count = 0;
  let firstBroken: Broken | null = null;
  const imageProblems: PledgeImageProblem[] = [];
  let imageProblemCount = 0;
  let checked = 0;
  // void links are few: all of them at once, met by seq between the signatures
  const voidRows = await ds.getRepository(PledgeVoid).find({ where: { campaignId }, order: { seq: 'ASC' } });
  const voidAt = new Map(voidRows.map((v) => [v.seq, v]));
  const voidOf = new Map(voidRows.map((v) => [v.signatureId, v]));
  const voidTargets = new Map<number, { seq: number; hash: string }>();
  const voids: PledgeVerifyResult['voids'] = [];
  const broken = (seq: number, id: number | null, reason: string): Broken => ({ seq, id, reason });

  const voidLinks = (): Broken | null => {
    for (let v = voidAt.get(expectSeq); v; v = voidAt.get(expectSeq)) {
      count++;
      if (v.prevHash !== prev) return broken(v.seq, null, `作废记录的 prevHash 与上一环链哈希不符`);
      const recomputed = voidChainHash(prev, { ...v, voidedAt: v.voidedAt });
      if (recomputed !== v.chainHash)
        return broken(v.seq, null, `作废记录已被改动：重算的链哈希 ${recomputed.slice(0, 12)}… 与存储的 ${v.chainHash.slice(0, 12)}… 不符`);
      const target = voidTargets.get(v.signatureId);
      if (!target || target.seq !== v.signatureSeq || target.hash !== v.signatureHash)
        return broken(v.seq, null, `作废记录指向的签名（第 ${v.signatureSeq} 份）与链上的记录不符`);
      voids.push({ seq: v.seq, signatureId: v.signatureId, signatureSeq: v.signatureSeq, reason: v.reason, voidedAt: v.voidedAt.toISOString() });
      prev = v.chainHash;
      expectSeq++;
    }
    return null;
  };

  const link = async (s: PledgeSignature): Promise<Broken | null> => {
    const vb = voidLinks();
    if (vb) return vb;
    count++;
    if (s.seq !== expectSeq) return broken(expectSeq, null, `缺少第 ${expectSeq} 份签名（下一份是第 ${s.seq} 份，id ${s.id}）`);
    if (s.prevHash !== prev) return broken(s.seq, s.id, `prevHash 与上一份签名的链哈希不符（记录 ${prev.slice(0, 12)}…，存储 ${s.prevHash.slice(0, 12)}…）`);
    const recomputed = chainHash(prev, { ...s, signedAt: s.signedAt });
    if (recomputed !== s.chainHash)
      return broken(
        s.seq,
        s.id,
        `内容已被改动：按存储的字段、图片哈希和时间重算的链哈希 ${recomputed.slice(0, 12)}… 与存储的 ${s.chainHash.slice(0, 12)}… 不符`,
      );
    // a signature counts as voided exactly when a void link names it
    if (!!s.voidedAt !== voidOf.has(s.id) || (!s.voidedAt && s.activeKey !== s.dedupeKey)) {
      return broken(s.seq, s.id, s.voidedAt ? '签名标记为作废，但链上没有对应的作废记录' : '签名的作废状态与链上的作废记录不符');
    }
    if (voidOf.has(s.id)) voidTargets.set(s.id, { seq: s.seq, hash: s.chainHash });
    let v = versions.get(s.templateVersionId);
    if (!v) {
      v = (await ds.getRepository(PledgeTemplateVersion).findOne({ where: { id: s.templateVersionId } })) ?? undefined;
      if (v) versions.set(v.id, v);
    }
    if (!v || versionContentHash(v) !== s.contentHash || v.contentHash !== s.contentHash) {
      return broken(s.seq, s.id, `承诺书正文（版本 ${s.templateVersionId}）与签署时的内容哈希不符`);
    }
    prev = s.chainHash;
    expectSeq++;
    return null;
  };

  /** Re-hashes one page's images, VERIFY_IMAGE_READS at a time; problems are kept in seq order. */
  const checkImages = async (rows: PledgeSignature[]): Promise<void> => {
    const work = rows.flatMap((s) => s.images.map((img) => ({ s, img })));
    const found: (PledgeImageProblem | null)[] = new Array(work.length).fill(null);
    // the demo seed shares image keys between signatures (drawn on first read): one read per key
    const hashes = new Map<string, Promise<string>>();
    const hashOf = (key: string) => {
      let h = hashes.get(key);
      if (!h) hashes.set(key, (h = readSignatureImage(storage, key).then(sha256)));
      return h;
    };
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < work.length; i = next++) {
        const { s, img } = work[i];
        let actual: string;
        try {
          actual = await hashOf(img.key);
        } catch {
          found[i] = { seq: s.seq, id: s.id, role: img.role, kind: 'missing', reason: `第 ${s.seq} 份签名（id ${s.id}）的${roleCn(img.role)}签名图片缺失` };
          continue;
        }
        if (actual !== img.sha256) {
          found[i] = {
            seq: s.seq,
            id: s.id,
            role: img.role,
            kind: 'altered',
            reason: `第 ${s.seq} 份签名（id ${s.id}）的${roleCn(img.role)}签名图片已被改动：与签署时的 SHA-256 不符`,
          };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(VERIFY_IMAGE_READS, work.length) }, worker));
    checked += work.length;
    for (const p of found) {
      if (!p) continue;
      imageProblemCount++;
      if (imageProblems.length < PLEDGE_VERIFY_IMAGE_PROBLEMS_LISTED) imageProblems.push(p);
    }
  };

  for (let after = 0; ;) {
    const rows = await ds
      .getRepository(PledgeSignature)
      .createQueryBuilder('s')
      .where('s.campaignId = :id AND s.seq > :after', { id: campaignId, after })
      .orderBy('s.seq', 'ASC')
      .take(VERIFY_PAGE_ROWS)
      .getMany();
    if (!rows.length) break;
    for (const s of rows) {
      if (firstBroken) break;
      firstBroken = await link(s);
    }
    if (images) await checkImages(rows);
    else if (firstBroken) break;
    after = rows[rows.length - 1].seq;
  }
  if (!firstBroken) firstBroken = voidLinks();
  if (!firstBroken && voids.length !== voidRows.length) {
    const lost = voidRows.find((v) => !voids.some((x) => x.seq === v.seq))!;
    firstBroken = broken(lost.seq, null, `第 ${lost.seq} 环作废记录不在链上的位置`);
  }
  if (!firstBroken && (c.seq !== count || c.lastHash !== prev)) {
    firstBroken = broken(
      c.seq,
      null,
      `活动记录的链头（第 ${c.seq} 份，${c.lastHash.slice(0, 12)}…）与签名记录（${count} 份，${prev.slice(0, 12)}…）不符：有签名被删除或添加`,
    );
  }
  const problemCount = (firstBroken ? 1 : 0) + imageProblemCount;
  return {
    ok: problemCount === 0,
    count,
    headHash: firstBroken ? c.lastHash : prev,
    firstBroken,
    voids,
    images: images ? { checked, problems: imageProblems, unlisted: imageProblemCount - imageProblems.length } : null,
    problemCount,
  };
}

function roleCn(role: string): string {
  return ({ guardian: '监护人', student: '学生', principal: '负责人', coordinator: '协管员' } as Record<string, string>)[role] ?? role;
}
