/** Registers: risk sites (重点场所/风险点) with their patrols, and incidents. */
import type { IncidentDto, IncidentPage, IncidentRequest, RiskSiteDto, RiskSitePage, RiskSiteRequest, SitePatrolDto, SitePatrolRequest } from '@xiangan/shared';
import { api } from './request';

export const registersApi = {
  sites: (query: { kind?: string; orgId?: number; page?: number; pageSize?: number } = {}) => api.get<RiskSitePage>('/risk-sites', { query }),
  site: (id: number) => api.get<RiskSiteDto>(`/risk-sites/${id}`),
  createSite: (body: RiskSiteRequest) => api.post<RiskSiteDto>('/risk-sites', body),
  updateSite: (id: number, body: RiskSiteRequest) => api.put<RiskSiteDto>(`/risk-sites/${id}`, body),
  archiveSite: (id: number) => api.del<RiskSiteDto>(`/risk-sites/${id}`),
  patrol: (id: number, body: SitePatrolRequest, key?: string) => api.post<SitePatrolDto>(`/risk-sites/${id}/patrols`, body, { idempotent: key ?? true }),
  incidents: (query: { kind?: string; from?: string; to?: string; page?: number; pageSize?: number } = {}) => api.get<IncidentPage>('/incidents', { query }),
  createIncident: (body: IncidentRequest) => api.post<IncidentDto>('/incidents', body),
  updateIncident: (id: number, body: IncidentRequest) => api.put<IncidentDto>(`/incidents/${id}`, body),
  deleteIncident: (id: number) => api.del<void>(`/incidents/${id}`),
};
