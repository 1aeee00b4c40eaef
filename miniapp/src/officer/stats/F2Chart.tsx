import { Canvas as TaroCanvas, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { Axis, Canvas, Chart, Interval, jsx, Line } from '@antv/f2';
import { useEffect, useMemo, useRef } from 'react';
import { type CanvasNode, frameCalls, measureCanvas } from '../../platform/canvas';
import { COLOR } from '../../styles/colors';

export interface SeriesRow {
  x: string;
  series: string;
  value: number;
}

let seq = 0;

/**
 * A grouped bar or line chart drawn by AntV F2 into a Taro Canvas 2D node: the same code in weapp
 * (canvas node from a selector query) and h5 (the <canvas> Taro renders).
 */
export function F2Chart({
  data,
  kind,
  height = 420,
  colors,
  transposed = false,
}: {
  data: SeriesRow[];
  kind: 'bar' | 'line';
  height?: number;
  colors: string[];
  transposed?: boolean;
}) {
  const id = useMemo(() => `f2-${++seq}`, []);
  const chart = useRef<Canvas | null>(null);
  /** The chart now drawn (a token per drawing): frames of an earlier one are dropped. */
  const live = useRef<object | null>(null);
  // the page builds `data` anew on every render: redraw only when the figures change
  const dataKey = JSON.stringify(data);

  useEffect(() => {
    let cancelled = false;
    const draw = (node: CanvasNode | null | undefined, width: number, h: number) => {
      if (cancelled || !node) return;
      const mine = {};
      const dpr = Taro.getSystemInfoSync().pixelRatio || 2;
      node.width = width * dpr;
      node.height = h * dpr;
      const context = node.getContext('2d');
      // Whole-number ticks for counts (never 7.5 hazards), and at most ~6 category labels on a phone.
      const max = Math.max(1, ...data.map((r) => r.value));
      const step = Math.max(1, Math.ceil(max / 4));
      const cats = new Set(data.map((r) => r.x)).size;
      const label = { fontSize: 15, fill: COLOR.text2 };
      const geom =
        kind === 'bar'
          ? jsx(Interval, { x: 'x', y: 'value', color: { field: 'series', range: colors }, adjust: 'dodge' })
          : jsx(Line, { x: 'x', y: 'value', color: { field: 'series', range: colors }, lineWidth: 3 });
      const children = jsx(Chart, {
        data,
        coord: { transposed },
        // room on the right for the last value label
        style: { padding: ['30px', '56px', '30px', '30px'] },
        scale: { value: { min: 0, max: step * 4, tickInterval: step }, x: { tickCount: transposed ? cats : Math.min(cats, 6) } },
        children: [jsx(Axis, { field: 'x', style: { label } }), jsx(Axis, { field: 'value', style: { label } }), geom],
      });
      // In weapp the frame/image functions live on the canvas node, not on a window.
      const weapp = frameCalls(node, () => live.current === mine);
      const props = { context, pixelRatio: dpr, width, height: h, children, animate: false, ...weapp };
      // a new picture for new figures: F2's update() of a live chart failed in syncHierarchy when the page re-rendered
      chart.current?.destroy?.();
      chart.current = new Canvas(props);
      live.current = mine;
      chart.current.render();
    };
    const t = setTimeout(() => measureCanvas(id, '.st-chart', draw), 50);
    return () => {
      cancelled = true;
      clearTimeout(t);
    };
    // redraw when the figures change (dataKey stands for `data`; the page builds `data` and `colors` anew every render)
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [dataKey, kind, id, transposed]);

  useEffect(
    () => () => {
      live.current = null;
      chart.current?.destroy?.();
    },
    [],
  );

  return (
    <View className="st-chart" style={{ height: Taro.pxTransform(height) }}>
      <TaroCanvas type="2d" id={id} canvasId={id} className="st-canvas" style={{ width: '100%', height: '100%' }} />
    </View>
  );
}
