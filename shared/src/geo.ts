/**
 * Positions and places. Every stored position is GCJ-02 (the system WeChat's maps, `wx.getLocation({type:'gcj02'})`,
 * `chooseLocation` and `openLocation` use). A browser gives WGS-84 (GPS): convert it with `wgs84ToGcj02` first.
 */

export interface LatLng {
  lat: number;
  lng: number;
}

/** China's rough bounding box: outside it GCJ-02 is WGS-84 unchanged. */
export function outOfChina(lat: number, lng: number): boolean {
  return lng < 72.004 || lng > 137.8347 || lat < 0.8293 || lat > 55.8271;
}

const A = 6378245.0; // Krasovsky 1940 semi-major axis
const EE = 0.006693421622965943; // its eccentricity squared (0.00669342162296594323, to double precision)

function transformLat(x: number, y: number): number {
  let r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
  r += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0;
  r += ((20.0 * Math.sin(y * Math.PI) + 40.0 * Math.sin((y / 3.0) * Math.PI)) * 2.0) / 3.0;
  r += ((160.0 * Math.sin((y / 12.0) * Math.PI) + 320 * Math.sin((y * Math.PI) / 30.0)) * 2.0) / 3.0;
  return r;
}

function transformLng(x: number, y: number): number {
  let r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
  r += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0;
  r += ((20.0 * Math.sin(x * Math.PI) + 40.0 * Math.sin((x / 3.0) * Math.PI)) * 2.0) / 3.0;
  r += ((150.0 * Math.sin((x / 12.0) * Math.PI) + 300.0 * Math.sin((x / 30.0) * Math.PI)) * 2.0) / 3.0;
  return r;
}

/** WGS-84 (GPS, the browser's geolocation) → GCJ-02 (the published transform; metre-level accuracy). */
export function wgs84ToGcj02(lat: number, lng: number): LatLng {
  if (outOfChina(lat, lng)) return { lat, lng };
  let dLat = transformLat(lng - 105.0, lat - 35.0);
  let dLng = transformLng(lng - 105.0, lat - 35.0);
  const radLat = (lat / 180.0) * Math.PI;
  let magic = Math.sin(radLat);
  magic = 1 - EE * magic * magic;
  const sqrtMagic = Math.sqrt(magic);
  dLat = (dLat * 180.0) / (((A * (1 - EE)) / (magic * sqrtMagic)) * Math.PI);
  dLng = (dLng * 180.0) / ((A / sqrtMagic) * Math.cos(radLat) * Math.PI);
  return { lat: lat + dLat, lng: lng + dLng };
}

/** Great-circle distance in metres. */
export function distanceMeters(a: LatLng, b: LatLng): number {
  const R = 6371000;
  const toRad = (x: number) => (x * Math.PI) / 180;
  const dLat = toRad(b.lat - a.lat);
  const dLng = toRad(b.lng - a.lng);
  const s = Math.sin(dLat / 2) ** 2 + Math.cos(toRad(a.lat)) * Math.cos(toRad(b.lat)) * Math.sin(dLng / 2) ** 2;
  return 2 * R * Math.asin(Math.sqrt(s));
}

/** `29.58312, 106.48705` — how a position is written when there is no address. */
export function formatLatLng(p: LatLng): string {
  return `${p.lat.toFixed(5)}, ${p.lng.toFixed(5)}`;
}

// ---- boundaries (GeoJSON) ------------------------------------------------------------------------

/** A unit's boundary: GeoJSON geometry, positions `[lng, lat]` in GCJ-02. */
export type Boundary = { type: 'Polygon'; coordinates: number[][][] } | { type: 'MultiPolygon'; coordinates: number[][][][] };

/** Most positions one boundary may hold (all rings together). */
export const BOUNDARY_MAX_POINTS = 2_000;
/** Which unit types may carry a boundary (the places a report can lie in). */
export const BOUNDARY_ORG_TYPES = ['village', 'community', 'grid'] as const;
/** Days past the deadline after which the daily overdue reminder also goes to the unit above (per town; default). */
export const HAZARD_OVERDUE_CLIMB_DAYS = 3;
export const HAZARD_OVERDUE_CLIMB_DAYS_MAX = 30;

/**
 * Checks a boundary and answers it normalised (a Feature is unwrapped to its geometry), or the reasons it is not one.
 * Rings must have ≥ 4 positions, be closed, and lie within lng −180..180 / lat −90..90.
 */
export function validateBoundary(input: unknown): { boundary: Boundary } | { errors: string[] } {
  let g = input as { type?: unknown; coordinates?: unknown; geometry?: unknown };
  if (g && typeof g === 'object' && g.type === 'Feature') g = g.geometry as typeof g;
  if (!g || typeof g !== 'object') return { errors: ['文件里没有多边形边界（需要 GeoJSON 的 Polygon 或 MultiPolygon）'] };
  if (g.type !== 'Polygon' && g.type !== 'MultiPolygon') return { errors: ['边界必须是面（Polygon 或 MultiPolygon），不能是点或线'] };
  const polygons = (g.type === 'Polygon' ? [g.coordinates] : g.coordinates) as unknown;
  if (!Array.isArray(polygons) || !polygons.length) return { errors: ['边界里没有坐标'] };
  let points = 0;
  for (const [pi, poly] of (polygons as unknown[]).entries()) {
    if (!Array.isArray(poly) || !poly.length) return { errors: [`边界第 ${pi + 1} 块里没有坐标`] };
    for (const [ri, ring] of (poly as unknown[]).entries()) {
      const where = `边界${g.type === 'MultiPolygon' ? `第 ${pi + 1} 块` : ''}的第 ${ri + 1} 圈`;
      if (!Array.isArray(ring) || ring.length < 4) return { errors: [`${where}至少要有 4 个点（首尾相同）`] };
      for (const p of ring as unknown[]) {
        if (!Array.isArray(p) || p.length < 2 || !p.slice(0, 2).every((x) => typeof x === 'number' && Number.isFinite(x))) {
          return { errors: [`${where}的坐标必须是 [经度, 纬度] 数字`] };
        }
        if (Math.abs(p[0]) > 180 || Math.abs(p[1]) > 90) return { errors: [`${where}有坐标超出范围（经度 -180～180，纬度 -90～90）；请确认是经纬度坐标`] };
      }
      const a = ring[0] as number[];
      const b = ring[ring.length - 1] as number[];
      if (a[0] !== b[0] || a[1] !== b[1]) return { errors: [`${where}没有闭合：最后一个点要与第一个点相同`] };
      points += ring.length;
      if (points > BOUNDARY_MAX_POINTS) return { errors: [`边界的点太多，最多 ${BOUNDARY_MAX_POINTS} 个；请简化后再导入`] };
    }
  }
  const strip = (r: number[][]) => r.map((p) => [p[0], p[1]]);
  return g.type === 'Polygon'
    ? { boundary: { type: 'Polygon', coordinates: (g.coordinates as number[][][]).map(strip) } }
    : { boundary: { type: 'MultiPolygon', coordinates: (g.coordinates as number[][][][]).map((poly) => poly.map(strip)) } };
}

/** The box around a boundary (for a range query before the exact test). */
export function boundaryBox(b: Boundary): { minLat: number; maxLat: number; minLng: number; maxLng: number } {
  const all = (b.type === 'Polygon' ? [b.coordinates] : b.coordinates).flat(3) as number[];
  let minLng = Infinity,
    maxLng = -Infinity,
    minLat = Infinity,
    maxLat = -Infinity;
  for (let i = 0; i + 1 < all.length; i += 2) {
    minLng = Math.min(minLng, all[i]);
    maxLng = Math.max(maxLng, all[i]);
    minLat = Math.min(minLat, all[i + 1]);
    maxLat = Math.max(maxLat, all[i + 1]);
  }
  return { minLat, maxLat, minLng, maxLng };
}

/** Even-odd ray test of one ring (positions `[lng, lat]`). */
function inRing(lng: number, lat: number, ring: number[][]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if (yi > lat !== yj > lat && lng < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Whether a point lies inside the boundary (inside an outer ring and in none of its holes). */
export function boundaryContains(b: Boundary, p: LatLng): boolean {
  const polygons = b.type === 'Polygon' ? [b.coordinates] : b.coordinates;
  return polygons.some(([outer, ...holes]) => inRing(p.lng, p.lat, outer) && !holes.some((h) => inRing(p.lng, p.lat, h)));
}

/** A square boundary of `halfM` metres around a point (demo data, tests). */
export function squareAround(p: LatLng, halfM: number): Boundary {
  const dLat = halfM / 111_320;
  const dLng = halfM / (111_320 * Math.cos((p.lat * Math.PI) / 180));
  const r = (x: number) => Math.round(x * 1e6) / 1e6;
  const [w, e, s, n] = [r(p.lng - dLng), r(p.lng + dLng), r(p.lat - dLat), r(p.lat + dLat)];
  return {
    type: 'Polygon',
    coordinates: [
      [
        [w, s],
        [e, s],
        [e, n],
        [w, n],
        [w, s],
      ],
    ],
  };
}
