/**
 * A village's / community's / grid's boundary: read a GeoJSON file, check it here so the preview can say in Chinese what
 * is wrong, and save it (PUT /orgs/:id/boundary, DELETE clears). The server checks it again (shared validateBoundary).
 */
import { type Boundary, boundaryBox, validateBoundary } from '@xiangan/shared';
import { asciiBase64, pickTextFile } from '../platform/files';
import { ApiError, api, errorText } from './request';
import { COLOR } from '../styles/colors';

export const boundaryApi = {
  get: (id: number) => api.get<{ id: number; boundary: Boundary | null }>(`/orgs/${id}/boundary`),
  set: (id: number, boundary: Boundary) => api.put<unknown>(`/orgs/${id}/boundary`, { boundary }),
  clear: (id: number) => api.del<unknown>(`/orgs/${id}/boundary`),
};

/** Largest boundary file read (a 2,000-point boundary is well under this). */
export const BOUNDARY_FILE_MAX_BYTES = 1024 * 1024;

export interface BoundaryPreview {
  boundary: Boundary;
  points: number;
  polygons: number;
  box: { minLat: number; maxLat: number; minLng: number; maxLng: number };
}

/** An error from saving a boundary: the server's and shared validator's Chinese messages as they are. */
export function boundarySaveError(err: unknown): string {
  if (err instanceof ApiError && err.statusCode === 400 && err.messages.length) return err.messages.join('；');
  return errorText(err);
}

/**
 * Parses the text of a .geojson / .json file into a boundary: a Polygon or MultiPolygon geometry, a Feature holding one,
 * or a FeatureCollection with exactly one polygon feature. Throws an Error with a Chinese message.
 */
export function parseBoundaryFile(text: string): BoundaryPreview {
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    throw new Error('文件不是有效的 GeoJSON（JSON 格式有误）');
  }
  let g = json as { type?: unknown; features?: unknown; geometry?: { type?: unknown } };
  if (g && typeof g === 'object' && g.type === 'FeatureCollection') {
    const feats = Array.isArray(g.features) ? (g.features as { geometry?: { type?: unknown } }[]) : [];
    const polys = feats.filter((f) => f && (f.geometry?.type === 'Polygon' || f.geometry?.type === 'MultiPolygon'));
    if (polys.length !== 1) throw new Error(`文件里有 ${polys.length} 个多边形；一个单位只能导入一个边界，请只保留本单位的那一个`);
    g = polys[0];
  }
  const v = validateBoundary(g);
  if ('errors' in v) throw new Error(v.errors.join('；'));
  const polygons = v.boundary.type === 'Polygon' ? [v.boundary.coordinates] : v.boundary.coordinates;
  const points = polygons.reduce((n, p) => n + p.reduce((m, r) => m + r.length, 0), 0);
  return { boundary: v.boundary, points, polygons: polygons.length, box: boundaryBox(v.boundary) };
}

/** Picks a .geojson / .json file and answers its text (h5: a file input; weapp: from a chat, read with the file manager). */
export function pickGeoJsonText(): Promise<string | null> {
  return pickTextFile({
    accept: '.geojson,.json,application/geo+json,application/json',
    extensions: ['geojson', 'json'],
    maxBytes: BOUNDARY_FILE_MAX_BYTES,
    tooBig: '文件太大（最多 1 MB）；请只导出本单位的边界',
  });
}

/** An outline of the boundary as an SVG data URL (for an Image; north up, shapes scaled to fit; ASCII only). */
export function boundaryOutlineSvg(b: Boundary, size = 240): string {
  const box = boundaryBox(b);
  const w = box.maxLng - box.minLng || 1e-9;
  const h = box.maxLat - box.minLat || 1e-9;
  const k = (size - 16) / Math.max(w, h);
  const polygons = b.type === 'Polygon' ? [b.coordinates] : b.coordinates;
  const d = polygons
    .flat()
    .map((ring) => `M${ring.map(([lng, lat]) => `${(8 + (lng - box.minLng) * k).toFixed(1)},${(8 + (box.maxLat - lat) * k).toFixed(1)}`).join('L')}Z`)
    .join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}"><path d="${d}" fill="${COLOR.boundary}" fill-opacity="0.2" stroke="${COLOR.boundary}" stroke-width="2" fill-rule="evenodd"/></svg>`;
  // base64 (the text is ASCII): WeChat's <image> takes base64 data URLs
  return `data:image/svg+xml;base64,${asciiBase64(svg)}`;
}
