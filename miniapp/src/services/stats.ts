/** Statistics, the dashboard and the DOCX reports. */
import type { DashboardDto, StatsSummaryDto } from '@xiangan/shared';
import { openFile } from '../platform/files';
import { api, buildQuery } from './request';

export function getDashboard(orgId?: number) {
  return api.get<DashboardDto>('/stats/dashboard', { query: { orgId } });
}

export function getSummary(q: { orgId?: number; from?: string; to?: string }) {
  // (the stats page passes both ends of the period it shows)
  return api.get<StatsSummaryDto>('/stats/summary', { query: q });
}

/** A report (.docx): weapp opens it in WeChat's viewer (from where it can be forwarded); h5 saves it. */
export function openReport(
  path: '/stats/summary.docx' | '/stats/monthly-brief.docx',
  query: Record<string, string | number | undefined>,
  filename: string,
): Promise<void> {
  return openFile(path + buildQuery(query), filename);
}
