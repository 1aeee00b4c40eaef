import { ConflictException, ForbiddenException, Injectable, NotFoundException, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import {
  canTransition,
  HAZARD_ACTION_LABELS,
  HAZARD_ACTION_ROLES,
  HAZARD_ACTIONS,
  HAZARD_REOPEN_DAYS,
  HAZARD_STATUS_LABELS,
  HazardAction,
  HazardStatus,
  isOfficer,
} from '@xiangan/shared';
import { Brackets, DataSource, EntityManager, In, Repository, SelectQueryBuilder } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user';
import { RefsService } from '../../common/scope/refs.service';
import { ScopeService } from '../../common/scope/scope.service';
import { MediaService } from '../media/media.service';
import { OrgUnit } from '../orgs/org-unit.entity';
import { Hazard } from './hazard.entity';
import { unitNames } from '../../common/db/unit-names';

/** The 409 every illegal transition answers, naming the current state. */
export function illegalTransition(status: HazardStatus, action: HazardAction): ConflictException {
  return new ConflictException(`当前状态为「${HAZARD_STATUS_LABELS[status]}」，不能执行「${HAZARD_ACTION_LABELS[action]}」`);
}

/**
 * Who may see a hazard and who may act on it: the reporter and the officers over its place or its responsible unit.
 * Hazard photos and hazards named in request bodies are checked by the same rule (registered here).
 */
@Injectable()
export class HazardAccess implements OnModuleInit {
  constructor(
    private readonly ds: DataSource,
    @InjectRepository(Hazard) private readonly hazards: Repository<Hazard>,
    @InjectRepository(OrgUnit) private readonly orgs: Repository<OrgUnit>,
    private readonly scope: ScopeService,
    private readonly media: MediaService,
    private readonly refs: RefsService,
  ) {}

  onModuleInit() {
    // Hazard photos (report and after-photos) are readable by whoever may see the hazard.
    this.media.registerAccessPolicy('hazard', async (user, id) => {
      const h = await this.hazards.findOne({ where: { id }, select: ['id', 'orgPath', 'responsibleOrgPath', 'reporterId'] });
      return !!h && this.canView(user, h);
    });
    // A hazard named in a body (a duplicate's original, a field record's linked hazards) or on a timeline:
    // the same rule as opening it by id.
    this.refs.register('hazard', async (user, ids) => {
      const rows = await this.hazards.find({ where: { id: In(ids) }, select: ['id', 'orgPath', 'responsibleOrgPath', 'reporterId'] });
      return new Set(rows.filter((h) => this.canView(user, h)).map((h) => h.id));
    });
  }

  canView(user: AuthUser, h: Pick<Hazard, 'orgPath' | 'responsibleOrgPath' | 'reporterId'>): boolean {
    return h.reporterId === user.id || this.officerInScope(user, h);
  }

  /** Officers in whose scope the hazard lies (as place or as responsible unit). */
  officerInScope(user: AuthUser, h: Pick<Hazard, 'orgPath' | 'responsibleOrgPath'>): boolean {
    return isOfficer(user.role) && (this.scope.covers(user, h.orgPath) || this.scope.covers(user, h.responsibleOrgPath));
  }

  /** Adds the caller's visibility to a ledger query: residents their own reports, officers their subtree. */
  applyScope(qb: SelectQueryBuilder<Hazard>, user: AuthUser): void {
    if (!isOfficer(user.role)) {
      qb.andWhere('h.reporterId = :me', { me: user.id });
      return;
    }
    const place = this.scope.where('h.orgPath', user, 'sp');
    if (!place) return;
    // A department works on what is assigned to it wherever it lies (the same predicate on the responsible
    // unit); others see the places under them.
    const assigned = this.scope.where('h.responsibleOrgPath', user, 'sp');
    if (user.role === 'department_officer' && assigned) {
      qb.andWhere(new Brackets((w) => w.where(...place).orWhere(...assigned)));
    } else {
      qb.andWhere(...place);
    }
  }

  /** The hazard if the caller may see it, else 404 (one that exists out of scope reads as one that does not). */
  async loadVisible(user: AuthUser, id: number, manager?: EntityManager): Promise<Hazard> {
    const h = await (manager ?? this.ds.manager).findOne(Hazard, { where: { id } });
    if (!h || !this.canView(user, h)) throw new NotFoundException(`隐患 ${id} 不存在`);
    return h;
  }

  /** Unit names by id (the ones that exist). */
  async unitNames(ids: (number | null | undefined)[]): Promise<Map<number, string>> {
    return unitNames(this.ds, ids);
  }

  /**
   * May the caller take `action` on a hazard they can see? The one check of an action, in this order: the role
   * (403), the state (409; a resident who is not the reporter must not learn it: 404), then the caller's relation
   * to the hazard (the reporter's reopen window, a department's own assignments).
   */
  assertMayAct(user: AuthUser, h: Hazard, action: HazardAction, now = new Date()): void {
    const label = HAZARD_ACTION_LABELS[action];
    if (!HAZARD_ACTION_ROLES[action].includes(user.role)) throw new ForbiddenException(`当前身份无权执行「${label}」`);
    if (!canTransition(action, h.status)) {
      if (!isOfficer(user.role) && h.reporterId !== user.id) throw new NotFoundException(`隐患 ${h.id} 不存在`);
      throw illegalTransition(h.status, action);
    }
    if (!isOfficer(user.role)) {
      if (h.reporterId !== user.id) throw new NotFoundException(`隐患 ${h.id} 不存在`);
      if (action === 'reopen') {
        if (h.status !== 'closed') throw illegalTransition(h.status, action);
        if (!h.closedAt || now.getTime() - h.closedAt.getTime() > HAZARD_REOPEN_DAYS * 86400_000) {
          throw new ForbiddenException(`销号已超过${HAZARD_REOPEN_DAYS}天，请重新上报`);
        }
      }
      return;
    }
    if (!this.officerInScope(user, h)) throw new NotFoundException(`隐患 ${h.id} 不存在`);
    // A department acts only on what was handed to it.
    if (user.role === 'department_officer' && action !== 'comment' && !this.scope.covers(user, h.responsibleOrgPath)) {
      throw new ForbiddenException(`该隐患未交办给您的单位，不能执行「${label}」`);
    }
  }

  /** The buttons: the actions the caller may take on this hazard now (the same check as taking one). */
  actionsFor(user: AuthUser, h: Hazard, now: Date): HazardAction[] {
    return HAZARD_ACTIONS.filter((a) => {
      try {
        this.assertMayAct(user, h, a, now);
        return true;
      } catch {
        return false;
      }
    });
  }
}
