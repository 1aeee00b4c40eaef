/**
 * Canvas 2D on both platforms: h5 draws into the <canvas> element Taro renders; weapp into the Canvas 2D node a
 * selector query answers, which carries its own frame and image calls (there is no window in weapp).
 *
 *   measureCanvas(id, '.st-chart', (node, w, h) => draw(node, w, h));
 *   new Canvas({ context, ...frameCalls(node, () => stillLive) });   // AntV F2
 */
import Taro from '@tarojs/taro';

/** h5's <canvas>, or weapp's Canvas 2D node with its own frame and image calls. */
export type CanvasNode = HTMLCanvasElement & {
  createImage?(): HTMLImageElement;
  requestAnimationFrame?(cb: (t: number) => void): number;
  cancelAnimationFrame?(frame: number): void;
};

/**
 * Finds the canvas `#id` and its drawing size in CSS px. h5: the <canvas> (or the one inside the host Taro rendered)
 * is sized to fill its `box` (the closest element matching `boxSelector`); weapp: the node and size from a selector query.
 */
export function measureCanvas(id: string, boxSelector: string, done: (node: CanvasNode | null | undefined, width: number, height: number) => void): void {
  if (process.env.TARO_ENV === 'h5') {
    const host = document.getElementById(id);
    const el = (host?.tagName === 'CANVAS' ? host : host?.querySelector('canvas')) as CanvasNode | null;
    const box = (host?.closest(boxSelector) ?? host) as HTMLElement | null;
    if (el && box) {
      const w = box.clientWidth;
      el.style.width = `${w}px`;
      el.style.height = `${box.clientHeight}px`;
      done(el, w, box.clientHeight);
    }
  } else {
    Taro.createSelectorQuery()
      .select(`#${id}`)
      .fields({ node: true, size: true })
      .exec((res) => done(res?.[0]?.node, res?.[0]?.width, res?.[0]?.height));
  }
}

/**
 * The frame and image calls a drawing library needs besides the context: none in h5 (the window has them); in weapp
 * those of the canvas node. A frame asked for while `live()` is false no longer runs (its chart is gone).
 */
export function frameCalls(node: CanvasNode, live: () => boolean): Record<string, unknown> {
  return process.env.TARO_ENV === 'h5'
    ? {}
    : {
        createImage: () => node.createImage!(),
        requestAnimationFrame: (cb: (t: number) => void) => node.requestAnimationFrame!((t: number) => live() && cb(t)),
        cancelAnimationFrame: (frame: number) => node.cancelAnimationFrame!(frame),
        offscreenCanvas: Taro.createOffscreenCanvas?.({ type: '2d' }),
      };
}
