import { Injectable } from '@nestjs/common';
import type { FieldFinding } from '@xiangan/shared';
import type { AuthUser } from '../../common/auth/auth-user';
import type { OrgUnit } from '../orgs/org-unit.entity';
import { HazardIntakeService } from '../hazards/hazard-intake.service';
import type { CreateHazardDto } from '../hazards/dto/hazard.dto';

/**
 * Turns inspection findings into ledger hazards through the hazard ledger's own service (codes,
 * events, content checks, notifications stay in one place). Each finding carries a client key
 * derived from the record's Idempotency-Key, so a retried submission creates no second hazard.
 */
@Injectable()
export class HazardFindingsPort {
  constructor(private readonly hazards: HazardIntakeService) {}

  async createFromFindings(user: AuthUser, org: OrgUnit, findings: FieldFinding[], clientKey?: string): Promise<number[]> {
    const ids: number[] = [];
    for (const [i, f] of findings.entries()) {
      const key = clientKey ? `${clientKey.slice(0, 56)}:f${i}` : undefined;
      const h = await this.hazards.create(
        user,
        { category: f.category, description: f.description, level: f.level, orgId: f.orgId ?? org.id } as CreateHazardDto,
        key,
      );
      ids.push(h.id);
    }
    return ids;
  }
}
