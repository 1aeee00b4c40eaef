import { ORG_CHILD_TYPES, ORG_TYPE_LABELS, UnitImportChange, UnitImportResult } from '@xiangan/shared';
import { EntityManager } from 'typeorm';
import { OrgUnit } from '../orgs/org-unit.entity';
import { ImportErrors, Row, splitPath } from './unit-import-sheet';

/** A unit as the import sees it: a row of the file, an existing unit, or both (matched). */
export interface Node {
  row?: Row;
  unit?: OrgUnit;
  /** Resolved parent (undefined = not resolved yet, null = the root). */
  parent?: Node | null;
  /** Names from the root: 青山县/石桥镇/河口村. */
  path?: string;
  /** Id once stored. */
  id?: number;
}

/**
 * The rows matched against the stored tree (by code, else by place), parents resolved, every rule checked:
 * errors go to `errors`, the changes to `result`; nothing is written. The nodes come back in row order.
 */
export async function planUnitImport(m: EntityManager, rows: Row[], errors: ImportErrors, result: UnitImportResult): Promise<Node[]> {
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
