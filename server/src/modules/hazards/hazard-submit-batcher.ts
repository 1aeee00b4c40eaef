import { beijingYear, formatHazardCode, HazardCategory, HazardCreatedDto, HazardLevel, HazardStatus } from '@xiangan/shared';
import { DataSource, EntityManager } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { dbTime } from '../../common/db/dialect';
import { SequenceService } from '../../common/db/sequence.service';
import { isUniqueViolation } from '../../common/idempotency/idempotency.interceptor';
import { JobQueue } from '../jobs/job-queue';
import { MediaService } from '../media/media.service';
import type { CreateHazardDto } from './dto/hazard.dto';
import { HazardCountService, priorityOf } from './hazard-counts.service';
import { marks } from '../../common/db/sql';

/** Job: probable duplicates and first-responder notices for the hazards of one written batch. */
export const HAZARD_REPORTED_JOB = 'hazards.reported';

/** A report that passed every per-request check (validation, content security, place), ready to be written. */
export interface SubmitItem {
  user: AuthUser;
  dto: CreateHazardDto;
  clientKey: string | null;
  level: HazardLevel;
  /** The content-security verdict of the description (hazard.textCheck). */
  verdict: string;
  org: { id: number; path: string };
  /** When the request arrived: createdAt, and the year the code is taken from. */
  now: Date;
}

/** `replayed`: the key had already made this reporter's hazard; that one is answered. */
export interface SubmitOutcome {
  created: HazardCreatedDto;
  replayed: boolean;
}

/** What the after-report job needs of a new hazard (none of it changes later), so it reads nothing back. */
export interface ReportedHazard {
  id: number;
  code: string;
  category: HazardCategory;
  description: string;
  lat: number | null;
  lng: number | null;
  orgPath: string;
  /** ms since the epoch (job data travels as JSON through Redis). */
  createdAt: number;
}

/** Job data: `hazards` since batching; `id` alone from jobs queued by an older server (still in Redis after a deploy). */
export interface ReportedJobData {
  hazards?: ReportedHazard[];
  id?: number;
}

interface Pending {
  item: SubmitItem;
  resolve: (o: SubmitOutcome) => void;
  reject: (e: unknown) => void;
  /** Settles with this item's outcome (followers with the same key wait on it). */
  done: Promise<SubmitOutcome>;
}

interface Row {
  item: SubmitItem;
  code: string;
  /** Known once inserted. */
  id: number;
}

interface Written {
  outcomes: SubmitOutcome[];
  /** The hazards this write created (not the replays), for the after-report job. */
  hazards: ReportedHazard[];
}

/** Most reports written in one batch. */
const MAX_BATCH = 64;

/**
 * Group commit for reports. A report that arrives while a batch is being written waits for the next batch;
 * one that finds nothing being written goes at once (a batch of one: an idle server adds no latency). A batch costs
 * the database about as much as one report did: one read for retried keys, one counter upsert for all its codes,
 * one transaction with a multi-row INSERT of the hazards and of their `report` events (plus the count hook per
 * hazard, and media per report with photos), and one job for the duplicate scan and notices.
 *
 * Any failure of a batch (a unique violation from a concurrent retry in another process, photos that are not the
 * caller's, a deadlock) rolls it back and each of its reports is written again on its own, so one bad report never
 * fails the others. Two reports in one batch with the same reporter and key are one report: the second shares the
 * first's outcome (answered as a replay).
 */
export class HazardSubmitBatcher {
  private readonly waiting: Pending[] = [];
  /**
   * A batch is being written. One at a time: a second lane was measured (MariaDB, 2 cores) to halve the batches and
   * gain nothing, and batches written side by side would queue on the same count rows anyway.
   */
  private busy = false;

  constructor(
    private readonly ds: DataSource,
    private readonly sequence: SequenceService,
    private readonly media: MediaService,
    private readonly counts: HazardCountService,
    private readonly queue: JobQueue,
  ) {}

  /** Reports waiting for the next batch (not counting the batch being written). */
  get queued(): number {
    return this.waiting.length;
  }

  submit(item: SubmitItem): Promise<SubmitOutcome> {
    let resolve!: (o: SubmitOutcome) => void;
    let reject!: (e: unknown) => void;
    const done = new Promise<SubmitOutcome>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    this.waiting.push({ item, resolve, reject, done });
    if (!this.busy) void this.drain();
    return done;
  }

  /** Writes what is waiting, batch after batch, until nothing is. */
  private async drain(): Promise<void> {
    this.busy = true;
    try {
      while (this.waiting.length) await this.settle(this.waiting.splice(0, MAX_BATCH));
    } finally {
      this.busy = false;
    }
  }

  /** Writes one batch and settles every waiting promise in it; never throws. */
  private async settle(batch: Pending[]): Promise<void> {
    const leaders: Pending[] = [];
    const byKey = new Map<string, Pending>();
    for (const p of batch) {
      const k = p.item.clientKey ? `${p.item.user.id}\n${p.item.clientKey}` : null;
      const leader = k ? byKey.get(k) : undefined;
      if (leader) {
        leader.done.then((o) => p.resolve({ created: o.created, replayed: true }), p.reject);
        continue;
      }
      if (k) byKey.set(k, p);
      leaders.push(p);
    }
    if (leaders.length === 1) {
      await this.writeOne(leaders[0].item).then(leaders[0].resolve, leaders[0].reject);
      return;
    }
    let written: Written;
    try {
      written = await this.write(leaders.map((p) => p.item));
    } catch {
      // Rolled back as a whole: each report on its own, so only the one at fault fails.
      await Promise.all(leaders.map((p) => this.writeOne(p.item).then(p.resolve, p.reject)));
      return;
    }
    // Committed: from here on nothing is written again (a report without a key would be stored twice).
    try {
      await this.enqueue(written.hazards);
      leaders.forEach((p, i) => p.resolve(written.outcomes[i]));
    } catch (err) {
      leaders.forEach((p) => p.reject(err));
    }
  }

  /** One job per batch for the duplicate scan and notices (its smallest id names it: every hazard is in exactly one batch). */
  private async enqueue(hazards: ReportedHazard[]): Promise<void> {
    if (!hazards.length) return;
    const first = Math.min(...hazards.map((h) => h.id));
    await this.queue.add<ReportedJobData>(HAZARD_REPORTED_JOB, { hazards }, { jobId: `hazard-reported-${first}`, attempts: 3, backoffMs: 2000 });
  }

  /** One report; a unique violation on its key (a concurrent retry won) answers the hazard that retry made. */
  private async writeOne(item: SubmitItem): Promise<SubmitOutcome> {
    let written: Written;
    try {
      written = await this.write([item]);
    } catch (err) {
      if (item.clientKey && isUniqueViolation(err)) {
        const found = (await this.existing([item])).get(keyOf(item.user.id, item.clientKey));
        if (found) return { created: found, replayed: true };
      }
      throw err;
    }
    await this.enqueue(written.hazards);
    return written.outcomes[0];
  }

  /** Writes reports with distinct keys in one transaction: their outcomes in order, and the new hazards. */
  private async write(items: SubmitItem[]): Promise<Written> {
    // Retries first (one indexed read for all keys), so a retry never burns a number.
    const keyed = items.filter((i) => i.clientKey);
    const found = keyed.length ? await this.existing(keyed) : new Map<string, HazardCreatedDto>();
    const replay = (i: SubmitItem) => (i.clientKey ? found.get(keyOf(i.user.id, i.clientKey)) : undefined);
    const fresh = items.filter((i) => !replay(i));

    const rows: Row[] = [];
    if (fresh.length) {
      // The codes: one block per year (a batch straddling New Year in China asks twice). A batch that fails leaves a gap.
      const byYear = new Map<number, SubmitItem[]>();
      for (const i of fresh) byYear.set(beijingYear(i.now), [...(byYear.get(beijingYear(i.now)) ?? []), i]);
      for (const [year, group] of byYear) {
        const last = await this.sequence.nextBlock(`hazard:${year}`, group.length);
        group.forEach((item, j) => rows.push({ item, code: formatHazardCode(year, last - group.length + 1 + j), id: 0 }));
      }
      await this.ds.transaction(async (m) => {
        await this.insertHazards(m, rows);
        const photos = new Map<number, number[]>();
        for (const r of rows) {
          if (r.item.dto.photoIds?.length) photos.set(r.id, await this.media.attach(r.item.dto.photoIds, r.item.user.id, 'hazard', r.id, m));
        }
        await this.insertReportEvents(m, rows, photos);
        // The count hook for the whole batch: one merged statement per table, rows in key order.
        await this.counts.changeMany(
          m,
          rows.map(({ item }) => ({
            before: null,
            after: {
              orgId: item.org.id,
              orgPath: item.org.path,
              category: item.dto.category,
              status: 'reported' as const,
              level: item.level,
              createdAt: item.now,
              deadline: null,
              escalatedTo: null,
              closedAt: null,
            },
          })),
        );
      });
    }
    const byItem = new Map(rows.map((r) => [r.item, r]));
    const outcomes = items.map((i): SubmitOutcome => {
      const old = replay(i);
      if (old) return { created: old, replayed: true };
      const r = byItem.get(i)!;
      return { created: { id: r.id, code: r.code, status: 'reported' }, replayed: false };
    });
    const hazards = rows.map(({ item, code, id }): ReportedHazard => ({
      id,
      code,
      category: item.dto.category,
      description: item.dto.description,
      lat: item.dto.lat ?? null,
      lng: item.dto.lng ?? null,
      orgPath: item.org.path,
      createdAt: item.now.getTime(),
    }));
    return { outcomes, hazards };
  }

  /** The hazards already made with these (reporter, key) pairs, by `keyOf`. */
  private async existing(items: SubmitItem[]): Promise<Map<string, HazardCreatedDto>> {
    const found: { id: number; code: string; status: HazardStatus; reporterId: number; clientKey: string }[] = await this.ds.query(
      `SELECT id, code, status, reporterId, clientKey FROM hazard WHERE ${items.map(() => '(reporterId = ? AND clientKey = ?)').join(' OR ')}`,
      items.flatMap((i) => [i.user.id, i.clientKey]),
    );
    return new Map(found.map((h) => [keyOf(Number(h.reporterId), h.clientKey), { id: Number(h.id), code: h.code, status: h.status }]));
  }

  /** One multi-row INSERT; the ids come back by code (auto-increment ids of a multi-row insert need not be consecutive). */
  private async insertHazards(m: EntityManager, rows: Row[]): Promise<void> {
    const t = (d: Date) => dbTime(d);
    const params = rows.flatMap(({ item, code }) => {
      const d = item.dto;
      return [
        code,
        d.category,
        item.level,
        'reported',
        priorityOf('reported', item.level, null, item.now),
        d.description,
        item.verdict,
        d.lat ?? null,
        d.lng ?? null,
        d.address || null,
        item.org.id,
        item.org.path,
        item.user.id,
        item.user.role,
        d.anonymous ? 1 : 0,
        d.contactPhone ?? null,
        item.clientKey,
        t(item.now),
        t(item.now),
      ];
    });
    const r = await m.query(
      `INSERT INTO hazard (code, category, level, status, priority, description, textCheck, lat, lng, address, orgId, orgPath, reporterId,
        reporterRole, anonymous, contactPhone, clientKey, createdAt, updatedAt) VALUES ${rows.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
      params,
    );
    if (rows.length === 1) {
      rows[0].id = insertedId(r);
      return;
    }
    const ids: { id: number; code: string }[] = await m.query(
      `SELECT id, code FROM hazard WHERE code IN (${marks(rows.length)})`,
      rows.map((x) => x.code),
    );
    const byCode = new Map(ids.map((x) => [x.code, Number(x.id)]));
    for (const x of rows) {
      const id = byCode.get(x.code);
      if (!id) throw new Error(`hazard ${x.code} not found after its insert`);
      x.id = id;
    }
  }

  private async insertReportEvents(m: EntityManager, rows: Row[], photos: Map<number, number[]>): Promise<void> {
    const params = rows.flatMap(({ item, id }) => {
      const p = photos.get(id);
      return [id, 'report', 'reported', item.user.id, item.user.role, p?.length ? JSON.stringify(p) : null, dbTime(item.now)];
    });
    await m.query(
      `INSERT INTO hazard_event (hazardId, action, toStatus, actorId, actorRole, photoIds, createdAt) VALUES ${rows.map(() => '(?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
      params,
    );
  }
}

const keyOf = (reporterId: number, clientKey: string) => `${reporterId}\n${clientKey}`;

/** The generated id of a one-row raw INSERT: MySQL's OK packet, SQLite's last row id. */
function insertedId(raw: unknown): number {
  const r = raw as { insertId?: number } | number | bigint | undefined;
  if (r && typeof r === 'object' && r.insertId) return Number(r.insertId);
  if (typeof r === 'number' || typeof r === 'bigint') return Number(r);
  throw new Error('insert returned no id');
}
