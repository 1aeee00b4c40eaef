import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../auth/auth-user';
import { describe, FieldProblem, fieldErrors } from '../http/field-labels';

/** Records a request body may name by id (units go through ScopeService.requireOrgs: the unit tree is not secret). */
export type RefKind = 'hazard' | 'media';

export interface RefContext {
  /** Media: the purpose the image was uploaded for (`hazard`, `message`…); another purpose is refused. */
  purpose?: string;
  /** Media: only images not attached to a record yet (a photo cannot move from one hazard to another). */
  unattached?: boolean;
  /** Ids the record being edited already holds: they stay allowed (a colleague's image in a draft being edited). */
  keep?: readonly number[];
}

/** The subset of `ids` the user may name; the owning module registers it, with the same rule as reading by id. */
export type RefRule = (user: AuthUser, ids: number[], ctx: RefContext) => Promise<Set<number>>;

/**
 * The one check for ids inside request bodies (photos, images in a message, linked or duplicate hazards…):
 * each id must be one the caller could read by id — and, for media, be their own upload for that purpose.
 * A missing id and a foreign one answer the same 400 naming the field, so nothing about other units leaks;
 * services call it before writing, so nothing is stored. Also used at read time (`allowed`) to drop
 * references a viewer may not see (a timeline naming another village's hazard).
 */
@Injectable()
export class RefsService {
  private readonly rules = new Map<RefKind, RefRule>();

  register(kind: RefKind, rule: RefRule): void {
    this.rules.set(kind, rule);
  }

  /** The ids among `ids` the user may name or see. */
  async allowed(user: AuthUser, kind: RefKind, ids: readonly number[], ctx: RefContext = {}): Promise<Set<number>> {
    const unique = [...new Set(ids.filter((x) => Number.isInteger(x) && x > 0))];
    if (!unique.length) return new Set();
    const rule = this.rules.get(kind);
    if (!rule) throw new Error(`no reference rule registered for ${kind}`);
    return rule(user, unique, ctx);
  }

  /** The refusal text for one id (callers that collect several errors, e.g. message blocks). */
  refusal(kind: RefKind, field: string, id: number): FieldProblem {
    return { field, message: describe(field, `（编号 ${id}）不存在或不在您的权限范围内`) };
  }

  /** Unique ids in order, or 400 naming the field for every id the caller may not name. */
  async require(user: AuthUser, kind: RefKind, ids: readonly number[] | undefined | null, field: string, ctx: RefContext = {}): Promise<number[]> {
    const unique = [...new Set(ids ?? [])];
    if (!unique.length) return [];
    const ok = await this.allowed(user, kind, unique, ctx);
    const bad = unique.filter((id) => !ok.has(id));
    if (bad.length) throw fieldErrors(bad.map((id) => this.refusal(kind, field, id)));
    return unique;
  }
}
