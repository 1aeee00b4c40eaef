/** Organisation units (the tree a resident picks their village from). */
import type { LocateDto, OrgType, OrgUnitDto } from '@xiangan/shared';
import { api } from './request';

export const orgsApi = {
  /** Units in the caller's scope, as a tree (a resident without a unit sees every town). */
  tree: () => api.get<OrgUnitDto[]>('/orgs'),
  /** The unit (grid/village) whose boundary holds a GCJ-02 position, and its village. */
  locate: (lat: number, lng: number) => api.get<LocateDto>('/orgs/locate', { query: { lat, lng } }),
};

/** Depth-first list of units with their ancestors' names, e.g. for a picker. */
export function flattenOrgs(tree: OrgUnitDto[], types?: OrgType[]): { unit: OrgUnitDto; trail: string[] }[] {
  const out: { unit: OrgUnitDto; trail: string[] }[] = [];
  const walk = (nodes: OrgUnitDto[], trail: string[]) => {
    for (const n of nodes) {
      if (!types || types.includes(n.type)) out.push({ unit: n, trail });
      if (n.children?.length) walk(n.children, [...trail, n.name]);
    }
  };
  walk(tree, []);
  return out;
}
