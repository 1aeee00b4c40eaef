import { Injectable, PayloadTooLargeException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ADMIN_LIMITS, UnitImportResult } from '@xiangan/shared';
import { randomBytes } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { isMysql } from '../../common/db/dialect';
import { AuditService } from '../audit/audit.service';
import { OrgUnit } from '../orgs/org-unit.entity';
import { Node, planUnitImport } from './unit-import-plan';
import { ImportErrors, readUnitRows, unitImportTemplate } from './unit-import-sheet';
import { fieldErrors } from '../../common/http/field-labels';
import { marks } from '../../common/db/sql';
import { subtreeSql } from '../../common/scope/subtree';

/** Rows per INSERT / UPDATE statement (well under MySQL's packet and SQLite's variable limits). */
const CHUNK = 300;

/**
 * The unit tree from a spreadsheet: 类型, 名称, 上级 (names from the root joined by `/`, or a 12-digit code),
 * 区划代码, 人口. A row is the same unit as a stored one by code, else by its place (parent + name); so the same
 * file twice changes nothing and a later file updates, never duplicates. Everything is checked before anything is
 * written; the writes are one transaction.
 */
@Injectable()
export class UnitImportService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditService,
  ) {}

  /** The spreadsheet template (see unit-import-sheet.ts). */
  template(): Promise<Buffer> {
    return unitImportTemplate();
  }

  async run(actor: AuthUser, file: { buffer: Buffer } | undefined, dryRun: boolean): Promise<UnitImportResult> {
    const started = Date.now();
    if (!file?.buffer?.length) throw fieldErrors([{ field: 'file', message: '请选择要导入的 Excel（.xlsx）文件' }]);
    if (file.buffer.length > ADMIN_LIMITS.unitImportMaxBytes) {
      throw new PayloadTooLargeException(`单位表格文件太大：最多 ${ADMIN_LIMITS.unitImportMaxBytes / 1024 / 1024} MB`);
    }
    const errors = new ImportErrors();
    const rows = await readUnitRows(file.buffer, errors);
    const result: UnitImportResult = { applied: false, rows: rows.length, created: [], moved: [], renamed: [], updated: [], unchanged: 0, errors: [], ms: 0 };
    // rows with a bad cell are left out of the plan (their children then name the missing parent); a file
    // without its header columns stops here
    if (!rows.length) return this.finish(result, errors, started, dryRun);

    const run = async (m: EntityManager) => {
      const plan = await planUnitImport(m, rows, errors, result);
      if (errors.list.length || dryRun) return;
      result.rows = rows.length;
      await this.apply(m, plan);
      result.applied = true;
      const changes = { created: result.created.length, moved: result.moved.length, renamed: result.renamed.length, updated: result.updated.length };
      if (Object.values(changes).some(Boolean))
        await this.audit.record({ actor, action: 'unit.import', orgPath: '/', targetType: 'org_unit', detail: { rows: result.rows, ...changes } }, m);
    };
    if (dryRun) await run(this.ds.manager);
    else await this.ds.transaction(run);
    return this.finish(result, errors, started, dryRun);
  }

  private finish(result: UnitImportResult, errors: ImportErrors, started: number, dryRun: boolean): UnitImportResult {
    result.errors = errors.list.sort((a, b) => a.row - b.row);
    result.ms = Date.now() - started;
    if (!dryRun && result.errors.length) {
      throw fieldErrors(result.errors.map((e) => ({ field: 'file', message: e.row ? `第 ${e.row} 行「${e.column}」：${e.message}` : e.message })));
    }
    return result;
  }

  private async apply(m: EntityManager, plan: Node[]): Promise<void> {
    const repo = m.getRepository(OrgUnit);
    // stored paths of parents, kept current as new units are written
    const storedPath = new Map<number, string>();
    const pathOf = async (id: number) => {
      let p = storedPath.get(id);
      if (p === undefined) {
        p = (await repo.findOneOrFail({ where: { id }, select: ['id', 'path'] })).path;
        storedPath.set(id, p);
      }
      return p;
    };
    // new units level by level: one multi-row INSERT per few hundred rows, each row marked with a pending path
    // naming its place in the batch, read back to learn the ids, then the real paths in one UPDATE per chunk
    const fresh = plan.filter((n) => !n.unit);
    const depth = new Map<Node, number>();
    const depthOf = (n: Node): number => {
      let d = depth.get(n);
      if (d === undefined) {
        d = n.parent && !n.parent.unit ? depthOf(n.parent) + 1 : 0;
        depth.set(n, d);
      }
      return d;
    };
    const levels: Node[][] = [];
    for (const n of fresh) (levels[depthOf(n)] ??= []).push(n);
    const token = randomBytes(6).toString('hex');
    for (const level of levels) {
      if (!level?.length) continue;
      const marker = (i: number) => `/pending/${token}/${i}/`;
      for (let i = 0; i < level.length; i += CHUNK) {
        const values = level.slice(i, i + CHUNK).map((n, j) => {
          const r = n.row!;
          return {
            parentId: n.parent ? n.parent.id! : null,
            type: r.type,
            name: r.name,
            path: marker(i + j),
            code: r.code,
            population: r.population,
            lat: null,
            lng: null,
          };
        });
        await m.createQueryBuilder().insert().into(OrgUnit).values(values).updateEntity(false).execute();
      }
      const pending = subtreeSql('path', `/pending/${token}/`);
      const back: { id: number | string; path: string }[] = await m.query(`SELECT id, path FROM org_unit WHERE ${pending.sql}`, pending.params);
      const idAt = new Map(back.map((b) => [Number(b.path.split('/')[3]), Number(b.id)]));
      const paths: [number, string][] = [];
      for (let i = 0; i < level.length; i++) {
        const n = level[i];
        n.id = idAt.get(i)!;
        const prefix = n.parent ? await pathOf(n.parent.id!) : '/';
        const path = `${prefix}${n.id}/`;
        storedPath.set(n.id, path);
        paths.push([n.id, path]);
      }
      for (let i = 0; i < paths.length; i += CHUNK) {
        const chunk = paths.slice(i, i + CHUNK);
        const ids = chunk.map(([id]) => id);
        await m.query(`UPDATE org_unit SET path = CASE id ${chunk.map(() => 'WHEN ? THEN ?').join(' ')} END WHERE id IN (${marks(ids.length)})`, [
          ...chunk.flat(),
          ...ids,
        ]);
      }
    }

    const moves: { id: number; parentId: number | null; depth: number }[] = [];
    for (const n of plan) {
      if (!n.unit) continue;
      const u = n.unit;
      const r = n.row!;
      const patch: Partial<OrgUnit> = {};
      if (u.name !== r.name) patch.name = r.name;
      if (r.code && r.code !== u.code) patch.code = r.code;
      if (r.population !== null && r.population !== u.population) patch.population = r.population;
      if (Object.keys(patch).length) await repo.update(u.id, patch);
      const parentId = n.parent ? n.parent.id! : null;
      if (parentId !== (u.parentId ?? null)) moves.push({ id: u.id, parentId, depth: u.path.split('/').length });
    }
    // moves, shallow first; each rewrites the path prefix of the moved subtree in every table that stores one
    moves.sort((a, b) => a.depth - b.depth);
    for (const mv of moves) {
      const oldPath = (await repo.findOneOrFail({ where: { id: mv.id }, select: ['id', 'path'] })).path;
      const newParentPath = mv.parentId ? (await repo.findOneOrFail({ where: { id: mv.parentId }, select: ['id', 'path'] })).path : '/';
      const newPath = `${newParentPath}${mv.id}/`;
      await repo.update(mv.id, { parentId: mv.parentId });
      await rewritePaths(m, oldPath, newPath);
    }
  }
}

/** Every `…path` / `…Path` column of every table except the append-only audit log: `/old/…` → `/new/…`. */
export async function rewritePaths(m: EntityManager, oldPath: string, newPath: string): Promise<void> {
  if (oldPath === newPath) return;
  const mysql = isMysql(m);
  const q = (s: string) => (mysql ? `\`${s}\`` : `"${s}"`);
  for (const meta of m.connection.entityMetadatas) {
    if (meta.tableName === 'audit_log') continue;
    for (const c of meta.columns) {
      if (!/(^p|P)ath$/.test(c.databaseName)) continue;
      const col = q(c.databaseName);
      const set = mysql ? `CONCAT(?, SUBSTRING(${col}, ?))` : `? || substr(${col}, ?)`;
      const under = subtreeSql(col, oldPath);
      await m.query(`UPDATE ${q(meta.tableName)} SET ${col} = ${set} WHERE ${under.sql}`, [newPath, oldPath.length + 1, ...under.params]);
    }
  }
}
