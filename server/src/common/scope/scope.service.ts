import { ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { isOfficer } from '@xiangan/shared';
import { In, Repository, SelectQueryBuilder, ObjectLiteral } from 'typeorm';
import { OrgUnit } from '../../modules/orgs/org-unit.entity';
import type { AuthUser } from '../auth/auth-user';
import { subtreeSql, subtreeWhere, within } from './subtree';

/** Whose subtree: a user's scope (an admin's is everything) or a unit's path. */
export type ScopeOf = AuthUser | string;

/**
 * The one scope mechanism: an officer's scope is the subtree of their unit (paths `/1/2/` prefix),
 * an admin's is everything. Every module asks here; nobody compares paths by hand.
 */
@Injectable()
export class ScopeService {
  constructor(@InjectRepository(OrgUnit) private readonly orgs: Repository<OrgUnit>) {}

  isAdmin(user: AuthUser): boolean {
    return user.role === 'admin';
  }

  /** True when the unit at `path` is inside the user's subtree. */
  covers(user: AuthUser, path: string | null | undefined): boolean {
    if (this.isAdmin(user)) return true;
    return !!user.orgPath && within(path, user.orgPath);
  }

  /** The path prefix to filter by, or null for no limit (admin). */
  prefix(user: AuthUser): string | null {
    if (this.isAdmin(user)) return null;
    // A user with no unit sees nothing by subtree.
    return user.orgPath ?? '/__none__/';
  }

  /** The path whose subtree `who` means, or null for no limit (an admin). */
  private pathOf(who: ScopeOf): string | null {
    return typeof who === 'string' ? who : this.prefix(who);
  }

  /**
   * Adds the subtree predicate (`column LIKE 'prefix%'`, an index range scan) for a user's scope (nothing for an
   * admin) or for a unit's path.
   */
  restrict<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>, column: string, who: ScopeOf, param = 'scopePrefix'): SelectQueryBuilder<T> {
    const where = this.where(column, who, param);
    if (where) qb.andWhere(...where);
    return qb;
  }

  /** The subtree predicate with a named parameter (for `where`/`orWhere` inside Brackets), or null for an admin. */
  where(column: string, who: ScopeOf, param = 'scopePrefix'): [string, Record<string, string>] | null {
    const p = this.pathOf(who);
    return p === null ? null : subtreeWhere(column, p, param);
  }

  /** The subtree predicate for hand-written `?` SQL, or null for an admin. */
  sql(column: string, who: ScopeOf): { sql: string; params: [string] } | null {
    const p = this.pathOf(who);
    return p === null ? null : subtreeSql(column, p);
  }

  /** Loads a unit the officer may act on: 404 when missing, 403 when outside the subtree. */
  async requireOrg(user: AuthUser, orgId: number): Promise<OrgUnit> {
    const org = await this.orgs.findOne({ where: { id: orgId } });
    if (!org) throw new NotFoundException(`单位 ${orgId} 不存在`);
    if (!isOfficer(user.role) || !this.covers(user, org.path)) throw new ForbiddenException(`单位 ${orgId} 不在您的管辖范围内`);
    return org;
  }

  /** Like requireOrg for many ids at once. */
  async requireOrgs(user: AuthUser, ids: number[]): Promise<OrgUnit[]> {
    const unique = [...new Set(ids)];
    if (!unique.length) return [];
    const rows = await this.orgs.find({ where: { id: In(unique) } });
    for (const id of unique) {
      const o = rows.find((r) => r.id === id);
      if (!o) throw new NotFoundException(`单位 ${id} 不存在`);
      if (!isOfficer(user.role) || !this.covers(user, o.path)) throw new ForbiddenException(`单位 ${id} 不在您的管辖范围内`);
    }
    return rows;
  }

  /**
   * The unit an officer's query is about: the one `@OrgScope` already checked (`@ScopedOrg()`), a unit id to check
   * here, or else their own.
   */
  async targetOrg(user: AuthUser, org?: OrgUnit | number | null): Promise<OrgUnit> {
    if (org && typeof org === 'object') return org;
    if (org) return this.requireOrg(user, org);
    if (user.orgId) {
      const own = await this.orgs.findOne({ where: { id: user.orgId } });
      if (own) return own;
    }
    const root = await this.orgs.findOne({ where: { parentId: null as unknown as number }, order: { id: 'ASC' } });
    if (!root || !this.isAdmin(user)) throw new ForbiddenException('您还没有所属单位');
    return root;
  }

  /** Ids of the unit and all its ancestors (what a resident's feed is addressed through). */
  ancestorIds(path: string | null): number[] {
    if (!path) return [];
    return path.split('/').filter(Boolean).map(Number);
  }
}
