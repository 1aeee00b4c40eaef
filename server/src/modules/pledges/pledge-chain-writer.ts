import { ConflictException, HttpException, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, IsNull } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { isMysql, readTime } from '../../common/db/dialect';
import { isTransientDbError } from '../../common/http/http-exception.filter';
import { AuditService } from '../audit/audit.service';
import { campaignStatus } from './dto/pledge.dto';
import { ChainRecord, chainHash, voidChainHash } from './pledge-chain';
import { signedUpsert } from './pledge-month.rollup';
import { LetterAsk, letterUnitsOf } from './letter-unit';
import { PledgeCampaign, PledgeSignature, PledgeVoid } from './pledge.entities';
import { beijingMonth, beijingTimeSeconds } from '@xiangan/shared';
import { marks } from '../../common/db/sql';
import type { SqlRow } from '../../common/db/sql-row';

/** A signature ready to be chained: checked, images stored, waiting for its seq. */
export interface Prepared {
  campaignId: number;
  /** The campaign's roster kind when the request was checked (re-checked under the lock; not stored). */
  rosterKind: string | null;
  rosterEntryId: number | null;
  groupName: string | null;
  /**
   * Which unit a 责任书 is for (see letter-unit.ts): answered for the whole batch under the lock, stored beside the
   * chain (unitOrgId), not in it. Null for other kinds.
   */
  letter: LetterAsk | null;
  dedupeKey: string;
  signerUserId: number;
  clientKey: string;
  templateVersionId: number;
  contentHash: string;
  fields: Record<string, string>;
  images: { role: string; key: string; sha256: string }[];
}

/**
 * `unsure`: the batch's transaction threw, and where it threw is not known — a connection lost around COMMIT may have
 * lost only the answer, with the rows stored. What the request stored beside them (its images) must stay until a
 * later look says no row refers to them (PledgeSignaturesService.settleImages).
 */
export type Outcome = { ok: PledgeSignature; replay?: boolean } | { err: HttpException; unsure?: boolean };

const BATCH_MAX = 64;

/** Refuses a campaign closed by hand or past its deadline. */
export function assertOpen(c: PledgeCampaign, now = new Date()): void {
  const st = campaignStatus(c, now);
  if (st === 'closed') throw new ConflictException(`《${c.title}》已关闭，不能再签署`);
  if (st === 'expired') throw new ConflictException(`《${c.title}》已于 ${beijingTimeSeconds(c.deadline)} 截止，不能再签署`);
}

function duplicateOf(s: PledgeSignature): ConflictException {
  return new ConflictException(`已于 ${beijingTimeSeconds(s.signedAt)} 签署过（编号 ${s.seq}），不能重复签署`);
}

/**
 * The campaign's hash chain, written: signatures appended in batches and void links, each under the campaign row
 * lock, with the roster links and the statistics' counts kept in the same transaction.
 */
@Injectable()
export class PledgeChainWriter {
  private readonly logger = new Logger('PledgeChain');
  /** Per campaign (per process on SQLite): signatures waiting to be appended, and whether a writer runs. */
  private readonly queues = new Map<number, { item: Prepared; resolve: (o: Outcome) => void }[]>();
  private readonly running = new Set<number>();

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditService,
  ) {}

  private get mysql(): boolean {
    return isMysql(this.ds);
  }

  /**
   * Appends to the campaign's chain. Requests for one campaign queue here and are written in batches,
   * each batch one transaction holding the campaign row lock (MySQL `SELECT … FOR UPDATE`), so any number
   * of processes produce one unbroken chain; a unique (campaignId, seq) makes a fork impossible regardless.
   */
  append(item: Prepared): Promise<Outcome> {
    const lane = this.mysql ? item.campaignId : 0; // SQLite: one writer per process anyway
    return new Promise((resolve) => {
      const q = this.queues.get(lane) ?? [];
      q.push({ item, resolve });
      this.queues.set(lane, q);
      if (!this.running.has(lane)) void this.drain(lane);
    });
  }

  private async drain(lane: number): Promise<void> {
    this.running.add(lane);
    try {
      for (;;) {
        const q = this.queues.get(lane);
        if (!q?.length) break;
        const batch = q.splice(0, BATCH_MAX);
        // group by campaign (one lane may carry several on SQLite)
        const byCampaign = new Map<number, typeof batch>();
        for (const b of batch) byCampaign.set(b.item.campaignId, [...(byCampaign.get(b.item.campaignId) ?? []), b]);
        for (const [campaignId, part] of byCampaign) {
          let outcomes: Outcome[] | null = null;
          for (let attempt = 0; !outcomes; attempt++) {
            try {
              outcomes = await this.ds.transaction((m) =>
                this.commitBatch(
                  m,
                  campaignId,
                  part.map((p) => p.item),
                ),
              );
            } catch (err) {
              if (attempt < 4 && (isTransientDbError(err) || (err as Error).message === 'chain head moved')) {
                await new Promise((r) => setTimeout(r, 20 * (attempt + 1) + Math.random() * 30));
                continue;
              }
              this.logger.error(`chain append failed for campaign ${campaignId}: ${(err as Error).message}`);
              const e = isTransientDbError(err) ? new HttpException('服务繁忙，请稍后重试', 503) : new HttpException('签名保存失败，请重试', 500);
              outcomes = part.map(() => ({ err: e, unsure: true }));
            }
          }
          part.forEach((p, i) => p.resolve(outcomes![i]));
        }
      }
    } finally {
      this.running.delete(lane);
      if (this.queues.get(lane)?.length) void this.drain(lane);
      else this.queues.delete(lane);
    }
  }

  private async commitBatch(m: EntityManager, campaignId: number, items: Prepared[]): Promise<Outcome[]> {
    const lock = this.mysql ? ' FOR UPDATE' : '';
    const [head] = await m.query(
      `SELECT id, seq, lastHash, deadline, closedAt, title, rosterKind, templateVersionId FROM pledge_campaign WHERE id = ?${lock}`,
      [campaignId],
    );
    if (!head) return items.map(() => ({ err: new NotFoundException(`承诺书活动 ${campaignId} 不存在`) }));
    const c = m.create(PledgeCampaign, {
      id: head.id,
      title: head.title,
      deadline: readTime(head.deadline)!,
      closedAt: head.closedAt ? readTime(head.closedAt) : null,
    });
    let seq = Number(head.seq);
    let prev: string = head.lastHash;
    const startSeq = seq;

    // In one read (an OR of two unique indexes' ranges: an index-merge union): the batch's keys already signed in
    // this campaign (duplicates), and its signers' Idempotency-Keys already used (replays) — a row may be both
    const keys = new Set(items.map((i) => i.dedupeKey));
    const signers = new Set(items.map((i) => i.signerUserId));
    const clientKeys = new Set(items.map((i) => i.clientKey));
    const found = await m.find(PledgeSignature, {
      where: [
        { campaignId, activeKey: In([...keys]) },
        { signerUserId: In([...signers]), clientKey: In([...clientKeys]) },
      ],
    });
    const dupes = found.filter((s) => s.campaignId === campaignId && s.activeKey !== null && keys.has(s.activeKey));
    const byKey = new Map(dupes.map((d) => [d.dedupeKey, d]));
    const replays = found.filter((s) => signers.has(s.signerUserId) && clientKeys.has(s.clientKey));
    const now = new Date();
    const outcomes: (Outcome | { twin: number })[] = [];
    const rows: PledgeSignature[] = [];
    const asks: (LetterAsk | null)[] = [];
    const inBatch = new Map<string, number>(); // signer + key → index of the outcome that key got in this batch
    for (const it of items) {
      const replay = replays.find((r) => r.signerUserId === it.signerUserId && r.clientKey === it.clientKey);
      if (replay) {
        outcomes.push({ ok: replay, replay: true });
        continue;
      }
      const keyOf = `${it.signerUserId}:${it.clientKey}`;
      const twin = inBatch.get(keyOf);
      if (twin !== undefined) {
        // the same key twice in one batch (a retry overtaking its first attempt): it shares the first one's fate
        outcomes.push({ twin });
        continue;
      }
      inBatch.set(keyOf, outcomes.length);
      if ((head.rosterKind ?? null) !== it.rosterKind || Number(head.templateVersionId) !== it.templateVersionId) {
        outcomes.push({ err: new ConflictException('承诺书活动刚刚更新（名单或版本），请刷新后重新签署') });
        continue;
      }
      const dup = byKey.get(it.dedupeKey);
      if (dup) {
        outcomes.push({ err: dup.id ? duplicateOf(dup) : new ConflictException('同一份承诺书正在提交，请勿重复签署') });
        continue;
      }
      try {
        assertOpen(c, now);
      } catch (err) {
        outcomes.push({ err: err as HttpException });
        continue;
      }
      seq += 1;
      const rec: ChainRecord = { ...it, seq, signedAt: new Date(now.getTime()) };
      const hash = chainHash(prev, rec);
      const { rosterKind: _checked, letter, ...cols } = it;
      const row = m.create(PledgeSignature, { ...cols, seq, signedAt: rec.signedAt, prevHash: prev, chainHash: hash, activeKey: it.dedupeKey, voidedAt: null });
      rows.push(row);
      asks.push(letter);
      byKey.set(it.dedupeKey, m.create(PledgeSignature, { ...row, id: 0 }));
      outcomes.push({ ok: row });
      prev = hash;
    }
    const settleTwins = (): Outcome[] =>
      outcomes.map((o) => {
        if (!('twin' in o)) return o;
        const first = outcomes[o.twin] as Outcome;
        return 'ok' in first ? { ok: first.ok, replay: true } : first;
      });
    if (!rows.length) return settleTwins();
    const units = await letterUnitsOf(m, asks);
    rows.forEach((r, i) => (r.unitOrgId = units[i]));
    await m.insert(PledgeSignature, rows);
    // the new rows' ids, read back by seq (the ids of a multi-row insert are not assumed consecutive); every other
    // column is what was just written, so the rows answer as they are (no second hydration of the whole batch)
    const ids: SqlRow[] = await m.query(`SELECT id, seq FROM pledge_signature WHERE campaignId = ? AND seq IN (${marks(rows.length)})`, [
      campaignId,
      ...rows.map((r) => r.seq),
    ]);
    const idOf = new Map(ids.map((r) => [Number(r.seq), Number(r.id)]));
    for (const r of rows) r.id = idOf.get(r.seq)!;
    const settled = settleTwins();
    // roster entries → their signature, one statement for the whole batch
    // (an entry keeps the signature it has; the count of entries newly linked goes to the campaign's rosterSigned —
    // an entry dropped by a roster import since the signer picked it is not counted)
    const linked = rows.filter((s) => s.rosterEntryId);
    let newlyLinked = 0;
    if (linked.length) {
      const res = await m.queryRunner!.query(
        `UPDATE pledge_roster_entry SET signatureId = CASE id ${linked.map(() => 'WHEN ? THEN ?').join(' ')} END WHERE id IN (${marks(linked.length)}) AND signatureId IS NULL`,
        [...linked.flatMap((s) => [s.rosterEntryId, s.id]), ...linked.map((s) => s.rosterEntryId)],
        true,
      );
      newlyLinked = Number(res.affected ?? 0);
    }
    // the statistics' rollup: this batch's signatures per China month (one upsert; only this campaign's rows,
    // which its row lock already serialises)
    const up = signedUpsert(
      campaignId,
      rows.map((r) => r.signedAt),
      this.mysql,
    );
    if (up) await m.query(up[0], up[1]);
    const moved = await m
      .createQueryBuilder()
      .update(PledgeCampaign)
      .set({ seq, lastHash: prev, ...(newlyLinked ? { rosterSigned: () => `rosterSigned + ${newlyLinked}` } : {}) })
      .where('id = :id AND seq = :startSeq', { id: campaignId, startSeq })
      .execute();
    if (!moved.affected) throw new Error('chain head moved');
    return settled;
  }

  /**
   * Appends a void link for signature `id` of campaign `c` (the signature itself stays, unchanged) and counts the
   * pledge as unsigned again: roster entry freed, the statistics' month count and rosterSigned lowered. Audited.
   */
  async appendVoid(user: AuthUser, c: PledgeCampaign, id: number, why: string): Promise<void> {
    await this.ds.transaction(async (m) => {
      const lock = this.mysql ? ' FOR UPDATE' : '';
      const [head] = await m.query(`SELECT id, seq, lastHash FROM pledge_campaign WHERE id = ?${lock}`, [c.id]);
      const s = (await m.findOne(PledgeSignature, { where: { id } }))!;
      if (s.voidedAt) throw new ConflictException(`该签名已于 ${beijingTimeSeconds(s.voidedAt)} 作废`);
      const startSeq = Number(head.seq);
      const seq = startSeq + 1;
      const voidedAt = new Date();
      const rec = { campaignId: c.id, seq, signatureId: s.id, signatureSeq: s.seq, signatureHash: s.chainHash, reason: why, voidedById: user.id, voidedAt };
      const hash = voidChainHash(head.lastHash, rec);
      await m.insert(PledgeVoid, { ...rec, voidedByName: user.name?.slice(0, 50) ?? null, prevHash: head.lastHash, chainHash: hash });
      const marked = await m.update(PledgeSignature, { id: s.id, voidedAt: IsNull() }, { activeKey: null, voidedAt });
      if (!marked.affected) throw new ConflictException('该签名刚刚已被作废');
      const freed = await m.queryRunner!.query('UPDATE pledge_roster_entry SET signatureId = NULL WHERE signatureId = ?', [s.id], true);
      const unlinked = Number(freed.affected ?? 0);
      await m.query('UPDATE pledge_month SET signed = signed - 1 WHERE campaignId = ? AND month = ? AND signed > 0', [c.id, beijingMonth(s.signedAt)]);
      const moved = await m
        .createQueryBuilder()
        .update(PledgeCampaign)
        .set({ seq, lastHash: hash, voidCount: () => 'voidCount + 1', ...(unlinked ? { rosterSigned: () => `rosterSigned - ${unlinked}` } : {}) })
        .where('id = :id AND seq = :startSeq', { id: c.id, startSeq })
        .execute();
      if (!moved.affected) throw new HttpException('服务繁忙，请稍后重试', 503);
      await this.audit.record(
        {
          actor: user,
          action: 'signature.void',
          orgPath: c.orgPath,
          targetType: 'pledge_signature',
          targetId: s.id,
          detail: { campaignId: c.id, signatureSeq: s.seq, voidSeq: seq, reason: why },
        },
        m,
      );
    });
  }
}
