import { boundaryBox, boundaryContains, squareAround, validateBoundary, wgs84ToGcj02 } from './geo';

describe('WGS-84 → GCJ-02', () => {
  it('moves a Beijing point as the published transform does', () => {
    // The reference value every implementation of the transform documents (116.404, 39.915 → 116.41024…, 39.91640…).
    const p = wgs84ToGcj02(39.915, 116.404);
    expect(p.lng).toBeCloseTo(116.41024449916938, 9);
    expect(p.lat).toBeCloseTo(39.91640428150164, 9);
  });

  it('moves a point in the demo county a few hundred metres, and leaves points outside China unchanged', () => {
    const p = wgs84ToGcj02(29.583, 106.487);
    expect(Math.abs(p.lat - 29.583)).toBeGreaterThan(0.001);
    expect(Math.abs(p.lng - 106.487)).toBeGreaterThan(0.001);
    expect(wgs84ToGcj02(48.8584, 2.2945)).toEqual({ lat: 48.8584, lng: 2.2945 });
  });
});

describe('boundaries', () => {
  it('validates GeoJSON naming the field', () => {
    expect(validateBoundary({ type: 'Point', coordinates: [1, 2] })).toEqual({ errors: ['边界必须是面（Polygon 或 MultiPolygon），不能是点或线'] });
    expect(
      validateBoundary({
        type: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [1, 0],
            [1, 1],
          ],
        ],
      }),
    ).toEqual({ errors: ['边界的第 1 圈至少要有 4 个点（首尾相同）'] });
    expect(
      'errors' in
        validateBoundary({
          type: 'Polygon',
          coordinates: [
            [
              [0, 0],
              [1, 0],
              [1, 1],
              [0, 1],
            ],
          ],
        }),
    ).toBe(true);
    expect(
      'errors' in
        validateBoundary({
          type: 'Polygon',
          coordinates: [
            [
              [0, 0],
              [1, 0],
              [1, 200],
              [0, 0],
            ],
          ],
        }),
    ).toBe(true);
    const ok = validateBoundary({
      type: 'Feature',
      geometry: {
        type: 'Polygon',
        coordinates: [
          [
            [0, 0, 5],
            [1, 0],
            [1, 1],
            [0, 0],
          ],
        ],
      },
    });
    expect(ok).toEqual({
      boundary: {
        type: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [1, 0],
            [1, 1],
            [0, 0],
          ],
        ],
      },
    });
  });

  it('tells inside from outside, holes included', () => {
    const sq = squareAround({ lat: 29.583, lng: 106.487 }, 500);
    expect(boundaryContains(sq, { lat: 29.583, lng: 106.487 })).toBe(true);
    expect(boundaryContains(sq, { lat: 29.59, lng: 106.487 })).toBe(false);
    const box = boundaryBox(sq);
    expect(box.minLat).toBeLessThan(29.583);
    expect(box.maxLat).toBeGreaterThan(29.583);
    expect(box.maxLng - box.minLng).toBeCloseTo((2 * 500) / (111_320 * Math.cos((29.583 * Math.PI) / 180)), 5);
    const holed = {
      type: 'Polygon' as const,
      coordinates: [
        [
          [0, 0],
          [10, 0],
          [10, 10],
          [0, 10],
          [0, 0],
        ],
        [
          [4, 4],
          [6, 4],
          [6, 6],
          [4, 6],
          [4, 4],
        ],
      ],
    };
    expect(boundaryContains(holed, { lat: 2, lng: 2 })).toBe(true);
    expect(boundaryContains(holed, { lat: 5, lng: 5 })).toBe(false);
    expect(
      boundaryContains(
        {
          type: 'MultiPolygon',
          coordinates: [
            holed.coordinates,
            [
              [
                [20, 20],
                [21, 20],
                [21, 21],
                [20, 20],
              ],
            ],
          ],
        },
        { lat: 20.2, lng: 20.8 },
      ),
    ).toBe(true);
  });
});
