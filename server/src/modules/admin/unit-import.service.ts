import { Injectable, PayloadTooLargeException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  ADMIN_LIMITS,
  ORG_CHILD_TYPES,
  ORG_TYPE_LABELS,
  ORG_TYPES,
  OrgType,
  UNIT_IMPORT_COLUMNS,
  UnitImportChange,
  UnitImportColumn,
  LIMITS,
  UnitImportError,
  UnitImportResult,
} from '@xiangan/shared';
import ExcelJS from 'exceljs';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { DataSource, EntityManager } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { isMysql } from '../../common/db/dialect';
import { assertZipWithinLimits, cellText } from '../../common/upload/zip-limits';
import { AuditService } from '../audit/audit.service';
import { OrgUnit } from '../orgs/org-unit.entity';
import { fieldErrors } from '../../common/http/field-labels';

/** Rows per INSERT / UPDATE statement (well under MySQL's packet and SQLite's variable limits). */
const CHUNK = 300;

/** Column headers as the template writes them (errors name these). */
const HEAD: Record<UnitImportColumn, string> = { type: '类型', name: '名称', parent: '上级', code: '区划代码', population: '人口' };

/** Words accepted in the 类型 column. */
const TYPE_WORDS: Record<string, OrgType> = {
  县: 'county',
  区: 'county',
  县区: 'county',
  乡镇: 'town',
  镇: 'town',
  乡: 'town',
  街道: 'town',
  乡镇街道: 'town',
  村: 'village',
  行政村: 'village',
  社区: 'community',
  居委会: 'community',
  网格: 'grid',
  学校: 'school',
  幼儿园: 'school',
  企业: 'enterprise',
  部门: 'department',
  行业部门: 'department',
};
for (const t of ORG_TYPES) TYPE_WORDS[t] = t;

interface Row {
  rowNo: number;
  type: OrgType;
  name: string;
  parentRef: string;
  code: string | null;
  population: number | null;
}

/** A unit as the import sees it: a row of the file, an existing unit, or both (matched). */
interface Node {
  row?: Row;
  unit?: OrgUnit;
  /** Resolved parent (undefined = not resolved yet, null = the root). */
  parent?: Node | null;
  /** Names from the root: 青山县/石桥镇/河口村. */
  path?: string;
  /** Id once stored. */
  id?: number;
}

const splitPath = (s: string) =>
  s
    .split(/[/／>＞\\]/)
    .map((x) => x.trim())
    .filter(Boolean);

class ImportErrors {
  readonly list: UnitImportError[] = [];
  add(row: number, column: UnitImportColumn | '', message: string) {
    this.list.push({ row, column: column ? HEAD[column] : '', message });
  }
}

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

  async template(): Promise<Buffer> {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('单位');
    ws.columns = [
      { header: HEAD.type, width: 10 },
      { header: HEAD.name, width: 20 },
      { header: HEAD.parent, width: 36 },
      { header: HEAD.code, width: 16 },
      { header: HEAD.population, width: 10 },
    ];
    const rows: (string | number | null)[][] = [
      ['县', '青山县', '', '360101000000', 520000],
      ['乡镇', '石桥镇', '青山县', '360101100000', 53800],
      ['村', '河口村', '青山县/石桥镇', '360101100201', 1800],
      ['社区', '镇南社区', '青山县/石桥镇', '360101100001', 3200],
      ['网格', '河口村一组', '青山县/石桥镇/河口村', '', 300],
      ['学校', '石桥镇中心小学', '青山县/石桥镇', '', 900],
      ['部门', '县应急管理局', '青山县', '', null],
    ];
    for (const r of rows) ws.addRow(r);
    ws.getRow(1).font = { bold: true };
    const help = wb.addWorksheet('填写说明');
    help.columns = [{ width: 100 }];
    for (const line of [
      '每行一个单位。类型：县、乡镇、村、社区、网格、学校、企业、部门。',
      '上级：从县开始的名称，用 / 隔开（如 青山县/石桥镇），或上级的12位统计用区划代码。县没有上级。',
      '区划代码：可不填；填写时为12位数字，同一代码只能出现一次。',
      '再次导入同一文件不会重复建单位：有代码的按代码对应，没有代码的按“上级+名称”对应。',
      '村、社区只能放在乡镇下；网格只能放在村或社区下。',
    ])
      help.addRow([line]);
    return Buffer.from(await wb.xlsx.writeBuffer());
  }

  async run(actor: AuthUser, file: { buffer: Buffer } | undefined, dryRun: boolean): Promise<UnitImportResult> {
    const started = Date.now();
    if (!file?.buffer?.length) throw fieldErrors([{ field: 'file', message: '请选择要导入的 Excel（.xlsx）文件' }]);
    if (file.buffer.length > ADMIN_LIMITS.unitImportMaxBytes) {
      throw new PayloadTooLargeException(`file 文件太大：最多 ${ADMIN_LIMITS.unitImportMaxBytes / 1024 / 1024} MB`);
    }
    const errors = new ImportErrors();
    const rows = await this.readRows(file.buffer, errors);
    const result: UnitImportResult = { applied: false, rows: rows.length, created: [], moved: [], renamed: [], updated: [], unchanged: 0, errors: [], ms: 0 };
    // rows with a bad cell are left out of the plan (their children then name the missing parent); a file
    // without its header columns stops here
    if (!rows.length) return this.finish(result, errors, started, dryRun);

    const run = async (m: EntityManager) => {
      const plan = await this.plan(m, rows, errors, result);
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

  private async readRows(buf: Buffer, errors: ImportErrors): Promise<Row[]> {
    if (!(buf.length > 4 && buf[0] === 0x50 && buf[1] === 0x4b))
      throw fieldErrors([{ field: 'file', message: '上传的不是 Excel（.xlsx）文件；请用下载的模板填写' }]);
    // the unpacked size is checked before any parser sees the file (a 2 MB zip can unpack to gigabytes)
    await assertZipWithinLimits(buf, { maxEntries: LIMITS.rosterMaxZipEntries, maxUnpackedBytes: LIMITS.rosterMaxUnpackedBytes });
    const wb = new ExcelJS.Workbook();
    try {
      await wb.xlsx.read(Readable.from(buf));
    } catch {
      throw fieldErrors([{ field: 'file', message: '上传的不是有效的 Excel（.xlsx）文件' }]);
    }
    const ws = wb.worksheets[0];
    if (!ws) throw fieldErrors([{ field: 'file', message: '上传的文件里没有工作表' }]);
    if (ws.rowCount > ADMIN_LIMITS.unitImportMaxRows + 1) {
      throw fieldErrors([{ field: 'file', message: `上传的文件行数太多：最多 ${ADMIN_LIMITS.unitImportMaxRows} 个单位（本文件 ${ws.rowCount - 1} 行）` }]);
    }
    const header = ws.getRow(1);
    const col: Partial<Record<UnitImportColumn, number>> = {};
    header.eachCell((cell, n) => {
      const h = cellText(cell.value).trim().toLowerCase();
      for (const [k, names] of Object.entries(UNIT_IMPORT_COLUMNS) as [UnitImportColumn, readonly string[]][]) {
        if (col[k] === undefined && names.some((x) => x.toLowerCase() === h)) col[k] = n;
      }
    });
    for (const k of ['type', 'name', 'parent'] as const) {
      if (col[k] === undefined) errors.add(1, k, `缺少「${HEAD[k]}」列（第 1 行应为表头：类型、名称、上级、区划代码、人口）`);
    }
    if (errors.list.length) return [];
    const rows: Row[] = [];
    for (let r = 2; r <= ws.rowCount; r++) {
      const row = ws.getRow(r);
      const get = (k: UnitImportColumn) => (col[k] ? cellText(row.getCell(col[k]!).value).trim() : '');
      const raw = { type: get('type'), name: get('name'), parent: get('parent'), code: get('code'), population: get('population') };
      if (!Object.values(raw).some(Boolean)) continue; // blank line
      const before = errors.list.length;
      const type = TYPE_WORDS[raw.type] ?? TYPE_WORDS[raw.type.toLowerCase()];
      if (!raw.type) errors.add(r, 'type', '不能为空');
      else if (!type) errors.add(r, 'type', `「${raw.type}」不是可用的单位类型（县、乡镇、村、社区、网格、学校、企业、部门）`);
      if (!raw.name) errors.add(r, 'name', '不能为空');
      else if (raw.name.length > 100) errors.add(r, 'name', '最多 100 个字');
      else if (/[/／>＞\\]/.test(raw.name)) errors.add(r, 'name', '名称里不能有 / 或 >');
      const code = raw.code.replace(/\s/g, '') || null;
      if (code && !/^\d{12}$/.test(code)) errors.add(r, 'code', `「${raw.code}」不是 12 位数字的统计用区划代码`);
      let population: number | null = null;
      if (raw.population) {
        const n = Number(raw.population.replace(/,/g, ''));
        if (!Number.isInteger(n) || n < 0 || n > 100_000_000) errors.add(r, 'population', `「${raw.population}」不是有效的人数`);
        else population = n;
      }
      if (errors.list.length === before) rows.push({ rowNo: r, type: type!, name: raw.name, parentRef: raw.parent, code, population });
    }
    if (!rows.length && !errors.list.length) errors.add(1, '', '文件里没有单位（第 2 行起每行一个单位）');
    return rows;
  }

  private async plan(m: EntityManager, rows: Row[], errors: ImportErrors, result: UnitImportResult) {
    const units = await m.find(OrgUnit, { where: { archived: false } });
    const unitById = new Map(units.map((u) => [u.id, u]));
    const namePath = new Map<number, string>();
    const pathOfUnit = (u: OrgUnit): string => {
      let p = namePath.get(u.id);
      if (p === undefined) {
        const parent = u.parentId ? unitById.get(u.parentId) : undefined;
        p = parent ? `${pathOfUnit(parent)}/${u.name}` : u.name;
        namePath.set(u.id, p);
      }
      return p;
    };
    const unitByCode = new Map<string, OrgUnit>();
    const unitByPath = new Map<string, OrgUnit>();
    for (const u of units) {
      if (u.code) unitByCode.set(u.code, u);
      unitByPath.set(pathOfUnit(u), u);
    }
    // one node per stored unit (so a row matched to it and a child naming it meet in the same node)
    const nodeOfUnit = new Map<number, Node>();
    const unitNode = (u: OrgUnit): Node => {
      let n = nodeOfUnit.get(u.id);
      if (!n) nodeOfUnit.set(u.id, (n = { unit: u, id: u.id }));
      return n;
    };

    // duplicate codes in the file
    const rowByCode = new Map<string, Row>();
    const bad = new Set<Row>();
    for (const r of rows) {
      if (!r.code) continue;
      const first = rowByCode.get(r.code);
      if (first) {
        errors.add(r.rowNo, 'code', `区划代码 ${r.code} 与第 ${first.rowNo} 行重复`);
        bad.add(r);
      } else rowByCode.set(r.code, r);
    }
    const nodes = new Map<Row, Node>(rows.map((r) => [r, { row: r }]));
    const rowsByName = new Map<string, Row[]>();
    for (const r of rows) rowsByName.set(r.name, [...(rowsByName.get(r.name) ?? []), r]);

    // full name path of each row, resolving its parent (rows may come in any order); a loop is an error
    const visiting: Row[] = [];
    const failed = new Set<Row>(bad);
    const fullPath = (r: Row): string | null => {
      const node = nodes.get(r)!;
      if (node.path !== undefined) return node.path;
      if (failed.has(r)) return null;
      if (visiting.includes(r)) {
        const loop = visiting.slice(visiting.indexOf(r)).map((x) => `第 ${x.rowNo} 行`);
        errors.add(r.rowNo, 'parent', `上级形成循环：${[...loop, `第 ${r.rowNo} 行`].join(' → ')}`);
        for (const x of visiting.slice(visiting.indexOf(r))) failed.add(x);
        return null;
      }
      visiting.push(r);
      try {
        const parent = resolveParent(r);
        if (parent === undefined) {
          failed.add(r);
          return null;
        }
        node.parent = parent;
        const pp = parent ? (parent.row ? fullPath(parent.row) : pathOfUnit(parent.unit!)) : '';
        if (pp === null) {
          failed.add(r);
          return null;
        }
        node.path = pp ? `${pp}/${r.name}` : r.name;
        return node.path;
      } finally {
        visiting.pop();
      }
    };
    /** The parent node, null for the root, undefined when not found (error added). */
    const resolveParent = (r: Row): Node | null | undefined => {
      const ref = r.parentRef.trim();
      if (!ref) return null;
      if (/^\d{12}$/.test(ref)) {
        const row = rowByCode.get(ref);
        if (row === r) {
          errors.add(r.rowNo, 'parent', '上级不能是自己');
          return undefined;
        }
        if (row) return nodes.get(row)!;
        const u = unitByCode.get(ref);
        if (u) return unitNode(u);
        errors.add(r.rowNo, 'parent', `找不到区划代码为 ${ref} 的单位`);
        return undefined;
      }
      const parts = splitPath(ref);
      const want = parts.join('/');
      for (const cand of rowsByName.get(parts[parts.length - 1]) ?? []) {
        if (cand === r) continue;
        // a candidate whose own chain is in progress closes a loop: fullPath reports it
        if (visiting.includes(cand)) {
          fullPath(cand);
          return undefined;
        }
        if (fullPath(cand) === want) return nodes.get(cand)!;
      }
      const u = unitByPath.get(want);
      if (u) return unitNode(u);
      errors.add(r.rowNo, 'parent', `找不到上级「${ref}」（文件中和系统中都没有）`);
      return undefined;
    };
    for (const r of rows) fullPath(r);

    // match each row to a stored unit: by code, else by place
    const matchedBy = new Map<number, Row>();
    const rowAtPath = new Map<string, Row>();
    for (const r of rows) {
      const node = nodes.get(r)!;
      if (failed.has(r) || node.path === undefined) continue;
      const firstAtPath = rowAtPath.get(node.path);
      if (firstAtPath) {
        errors.add(r.rowNo, 'name', `与第 ${firstAtPath.rowNo} 行重复（同一上级下同名单位「${r.name}」）`);
        continue;
      }
      rowAtPath.set(node.path, r);
      let u = r.code ? unitByCode.get(r.code) : undefined;
      if (!u) {
        const atPath = unitByPath.get(node.path);
        if (atPath && r.code && atPath.code && atPath.code !== r.code) {
          errors.add(r.rowNo, 'code', `「${node.path}」已存在，区划代码是 ${atPath.code}，与本行的 ${r.code} 不同`);
          continue;
        }
        u = atPath;
      }
      if (u) {
        const other = matchedBy.get(u.id);
        if (other) {
          errors.add(r.rowNo, r.code ? 'code' : 'name', `与第 ${other.rowNo} 行是同一个单位「${u.name}」`);
          continue;
        }
        if (u.type !== r.type) {
          errors.add(r.rowNo, 'type', `现有单位「${pathOfUnit(u)}」是${ORG_TYPE_LABELS[u.type]}，不能改成${ORG_TYPE_LABELS[r.type]}`);
          continue;
        }
        matchedBy.set(u.id, r);
        node.unit = u;
        node.id = u.id;
        nodeOfUnit.set(u.id, node);
      }
    }
    // children that named a stored unit as parent now point at the node the row merged into
    for (const n of nodes.values()) if (n.parent?.unit && !n.parent.row) n.parent = nodeOfUnit.get(n.parent.unit.id) ?? n.parent;

    // type rules and the single root
    const roots = units.filter((u) => !u.parentId);
    for (const r of rows) {
      const node = nodes.get(r)!;
      if (failed.has(r) || node.parent === undefined) continue;
      const p = node.parent;
      if (!p) {
        if (r.type !== 'county') errors.add(r.rowNo, 'parent', `${ORG_TYPE_LABELS[r.type]}必须填写上级（只有县可以没有上级）`);
        else if (roots.length && !(node.unit && !node.unit.parentId))
          errors.add(r.rowNo, 'parent', `系统中已有县级单位「${roots[0].name}」，一个系统只能有一个县`);
        continue;
      }
      const pType = p.row?.type ?? p.unit!.type;
      if (!ORG_CHILD_TYPES[pType].includes(r.type)) {
        const pName = p.row?.name ?? p.unit!.name;
        errors.add(r.rowNo, 'parent', `${ORG_TYPE_LABELS[r.type]}「${r.name}」不能放在${ORG_TYPE_LABELS[pType]}「${pName}」下面`);
      }
    }
    const topRows = rows.filter((r) => nodes.get(r)!.parent === null && !nodes.get(r)!.unit && r.type === 'county');
    for (const r of topRows.slice(1)) errors.add(r.rowNo, 'parent', `一个系统只能有一个县（第 ${topRows[0].rowNo} 行已是县）`);

    // a stored unit moved below its own descendant
    const finalParent = (n: Node): Node | null => (n.row ? (n.parent ?? null) : n.unit!.parentId ? unitNode(unitById.get(n.unit!.parentId)!) : null);
    for (const r of rows) {
      const node = nodes.get(r)!;
      if (!node.unit || !node.parent) continue;
      let p: Node | null = node.parent;
      for (let guard = 0; p && guard < 64; guard++) {
        if (p === node) {
          errors.add(r.rowNo, 'parent', `上级「${r.parentRef}」在「${r.name}」自己的下级中，会形成循环`);
          break;
        }
        p = finalParent(p);
      }
    }
    if (errors.list.length) return [];

    // the preview
    const parentPath = (n: Node | null | undefined) => (n ? (n.row ? nodes.get(n.row)!.path! : pathOfUnit(n.unit!)) : '');
    for (const r of rows) {
      const node = nodes.get(r)!;
      const change: UnitImportChange = { row: r.rowNo, type: r.type, name: r.name, path: node.path! };
      if (!node.unit) {
        result.created.push(change);
        continue;
      }
      const u = node.unit;
      let same = true;
      const newParentId = node.parent ? (node.parent.id ?? -1) : null;
      if (newParentId !== (u.parentId ?? null)) {
        const oldParent = u.parentId ? unitById.get(u.parentId) : undefined;
        result.moved.push({ ...change, from: oldParent ? pathOfUnit(oldParent) : '', to: parentPath(node.parent) });
        same = false;
      }
      if (u.name !== r.name) {
        result.renamed.push({ ...change, from: u.name, to: r.name });
        same = false;
      }
      if ((r.code && r.code !== u.code) || (r.population !== null && r.population !== u.population)) {
        result.updated.push(change);
        same = false;
      }
      if (same) result.unchanged++;
    }
    return rows.map((r) => nodes.get(r)!);
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
      const back: { id: number | string; path: string }[] = await m.query('SELECT id, path FROM org_unit WHERE path LIKE ?', [`/pending/${token}/%`]);
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
        await m.query(`UPDATE org_unit SET path = CASE id ${chunk.map(() => 'WHEN ? THEN ?').join(' ')} END WHERE id IN (${ids.map(() => '?').join(',')})`, [
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
      await m.query(`UPDATE ${q(meta.tableName)} SET ${col} = ${set} WHERE ${col} LIKE ?`, [newPath, oldPath.length + 1, `${oldPath}%`]);
    }
  }
}
