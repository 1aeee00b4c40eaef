/** Statistics, the dashboard and the DOCX reports. */
import Taro from '@tarojs/taro';
import type { DashboardDto, StatsSummaryDto } from '@xiangan/shared';
import { apiUrl } from './config';
import { api, authHeader, buildQuery, sendAuthed } from './request';

export function getDashboard(orgId?: number) {
  return api.get<DashboardDto>('/stats/dashboard', { query: { orgId } });
}

export function getSummary(q: { orgId?: number; from?: string; to?: string }) {
  // (the stats page passes both ends of the period it shows)
  return api.get<StatsSummaryDto>('/stats/summary', { query: q });
}

/**
 * Downloads a report and opens it: weapp downloads with the token and opens it in WeChat's viewer
 * (from where it can be forwarded); h5 fetches it with the token and saves it as a file.
 */
export async function openReport(
  path: '/stats/summary.docx' | '/stats/monthly-brief.docx',
  query: Record<string, string | number | undefined>,
  filename: string,
) {
  const url = apiUrl(path) + buildQuery(query);
  if (process.env.TARO_ENV === 'h5') {
    const res = await sendAuthed(
      () => fetch(url, { headers: authHeader() }),
      (r) => r.status,
    );
    if (!res.ok) throw new Error(`下载失败（${res.status}）`);
    const blob = await res.blob();
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = filename;
    document.body.appendChild(a);
    a.click();
    a.remove();
    return;
  }
  const r = await sendAuthed(
    () => Taro.downloadFile({ url, header: authHeader() }),
    (x) => x.statusCode,
  );
  if (r.statusCode !== 200) throw new Error(`下载失败（${r.statusCode}）`);
  await Taro.openDocument({ filePath: r.tempFilePath, fileType: 'docx', showMenu: true });
}
