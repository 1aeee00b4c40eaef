import { HAZARD_CATEGORY_LABELS, HAZARD_LEVEL_LABELS, HAZARD_STATUS_LABELS, HazardSummaryDto, isOverdue, maskPhone } from '@xiangan/shared';
import type { Hazard } from '../hazard.entity';

/** Entity → list row. The phone is always masked here; only the detail may carry it whole. */
export function mapHazardSummary(
  h: Pick<
    Hazard,
    | 'id'
    | 'code'
    | 'category'
    | 'level'
    | 'status'
    | 'description'
    | 'address'
    | 'orgId'
    | 'responsibleOrgId'
    | 'deadline'
    | 'contactPhone'
    | 'createdAt'
    | 'closedAt'
  >,
  names: Map<number, string>,
  thumbUrl: string | null,
  now = new Date(),
): HazardSummaryDto {
  return {
    id: h.id,
    code: h.code,
    category: h.category,
    level: h.level,
    status: h.status,
    description: h.description,
    address: h.address,
    orgId: h.orgId,
    orgName: names.get(h.orgId) ?? null,
    responsibleOrgId: h.responsibleOrgId,
    responsibleOrgName: h.responsibleOrgId ? (names.get(h.responsibleOrgId) ?? null) : null,
    deadline: h.deadline ? h.deadline.toISOString() : null,
    overdue: isOverdue(h.status, h.deadline, now),
    thumbUrl,
    contactPhone: maskPhone(h.contactPhone),
    reportedAt: h.createdAt.toISOString(),
    closedAt: h.closedAt ? h.closedAt.toISOString() : null,
  };
}

export const hazardLabels = { category: HAZARD_CATEGORY_LABELS, level: HAZARD_LEVEL_LABELS, status: HAZARD_STATUS_LABELS };
