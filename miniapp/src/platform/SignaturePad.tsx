/**
 * A full-width hand-signature canvas. h5: a plain <canvas> with pointer events (mouse, touch, pen);
 * weapp: Canvas type="2d" with touch events. The parent reads it through the ref:
 *   pad.current.isEmpty(), pad.current.clear(), await pad.current.toDataUrl()   // 'data:image/png;base64,…'
 */
import { Canvas, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { forwardRef, useEffect, useImperativeHandle, useRef, useState } from 'react';
import { COLOR } from '../styles/colors';

export interface SignaturePadHandle {
  isEmpty(): boolean;
  clear(): void;
  toDataUrl(): Promise<string>;
}

interface Props {
  id: string;
  label: string;
  onChange?: (empty: boolean) => void;
}

const INK = COLOR.ink;
const HEIGHT_CSS = 200; // px in h5; 400rpx in weapp

function setupCtx(ctx: CanvasRenderingContext2D, dpr: number) {
  ctx.scale(dpr, dpr);
  ctx.lineWidth = 4;
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  ctx.strokeStyle = INK;
}

const SignaturePad = forwardRef<SignaturePadHandle, Props>(function SignaturePad({ id, label, onChange }, ref) {
  /** h5: the <canvas> element; weapp: the Canvas 2D node from a selector query. */
  const canvasRef = useRef<HTMLCanvasElement | null>(null);
  const ctxRef = useRef<CanvasRenderingContext2D | null>(null);
  const sizeRef = useRef({ w: 0, h: 0, dpr: 1 });
  const last = useRef<{ x: number; y: number } | null>(null);
  const length = useRef(0);
  const [empty, setEmpty] = useState(true);

  const mark = (e: boolean) => {
    setEmpty(e);
    onChange?.(e);
  };

  // ---- set-up ----
  useEffect(() => {
    if (process.env.TARO_ENV === 'h5') {
      const canvas = canvasRef.current as HTMLCanvasElement | null;
      if (!canvas) return;
      const fit = () => {
        const w = canvas.parentElement?.clientWidth || 320;
        const dpr = Math.min(2, window.devicePixelRatio || 1);
        canvas.width = Math.round(w * dpr);
        canvas.height = Math.round(HEIGHT_CSS * dpr);
        canvas.style.width = `${w}px`;
        canvas.style.height = `${HEIGHT_CSS}px`;
        const ctx = canvas.getContext('2d')!;
        setupCtx(ctx, dpr);
        ctxRef.current = ctx;
        sizeRef.current = { w, h: HEIGHT_CSS, dpr };
        length.current = 0;
        mark(true);
      };
      fit();
      // turning the phone re-fits the pad (and clears it: a stretched signature would not be the signer's)
      window.addEventListener('orientationchange', fit);
      return () => window.removeEventListener('orientationchange', fit);
    }
    const t = setTimeout(() => {
      Taro.createSelectorQuery()
        .select(`#${id}`)
        .fields({ node: true, size: true })
        .exec((res) => {
          const r = res?.[0];
          if (!r?.node) return;
          const canvas = r.node;
          const dpr = Math.min(2, Taro.getSystemInfoSync().pixelRatio || 1);
          canvas.width = Math.round(r.width * dpr);
          canvas.height = Math.round(r.height * dpr);
          const ctx = canvas.getContext('2d');
          setupCtx(ctx, dpr);
          canvasRef.current = canvas;
          ctxRef.current = ctx;
          sizeRef.current = { w: r.width, h: r.height, dpr };
        });
    }, 50);
    return () => clearTimeout(t);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [id]);

  // ---- drawing ----
  const start = (x: number, y: number) => {
    last.current = { x, y };
    const ctx = ctxRef.current;
    if (!ctx) return;
    ctx.beginPath();
    ctx.arc(x, y, 1.5, 0, Math.PI * 2);
    ctx.fillStyle = INK;
    ctx.fill();
  };
  const move = (x: number, y: number) => {
    const ctx = ctxRef.current;
    const p = last.current;
    if (!ctx || !p) return;
    ctx.beginPath();
    ctx.moveTo(p.x, p.y);
    ctx.lineTo(x, y);
    ctx.stroke();
    length.current += Math.hypot(x - p.x, y - p.y);
    last.current = { x, y };
    if (empty && length.current > 30) mark(false);
  };
  const end = () => {
    last.current = null;
  };

  useImperativeHandle(ref, () => ({
    isEmpty: () => length.current < 30,
    clear: () => {
      const ctx = ctxRef.current;
      const { w, h } = sizeRef.current;
      if (ctx) ctx.clearRect(0, 0, w, h);
      length.current = 0;
      mark(true);
    },
    toDataUrl: async () => {
      const canvas = canvasRef.current;
      if (process.env.TARO_ENV === 'h5') return (canvas as HTMLCanvasElement).toDataURL('image/png');
      const { tempFilePath } = await Taro.canvasToTempFilePath({ canvas, fileType: 'png' } as unknown as Taro.canvasToTempFilePath.Option);
      const b64 = Taro.getFileSystemManager().readFileSync(tempFilePath, 'base64') as string;
      return `data:image/png;base64,${b64}`;
    },
  }));

  if (process.env.TARO_ENV === 'h5') {
    const pos = (e: React.PointerEvent<HTMLCanvasElement>) => {
      const r = (e.target as HTMLCanvasElement).getBoundingClientRect();
      return [e.clientX - r.left, e.clientY - r.top] as const;
    };
    return (
      <View className="pledge-pad">
        <View className="pledge-pad__label">{label}签名</View>
        <View className="pledge-pad__box">
          <canvas
            id={id}
            ref={canvasRef}
            className="pledge-pad__canvas"
            style={{ touchAction: 'none' }}
            onPointerDown={(e) => {
              (e.target as HTMLCanvasElement).setPointerCapture?.(e.pointerId);
              start(...pos(e));
            }}
            onPointerMove={(e) => {
              if (last.current) move(...pos(e));
            }}
            onPointerUp={end}
            onPointerCancel={end}
            onPointerLeave={end}
          />
          {empty ? <View className="pledge-pad__hint">请在此处用手指写下姓名</View> : null}
        </View>
      </View>
    );
  }
  return (
    <View className="pledge-pad">
      <View className="pledge-pad__label">{label}签名</View>
      <View className="pledge-pad__box">
        <Canvas
          id={id}
          type="2d"
          className="pledge-pad__canvas"
          disableScroll
          onTouchStart={(e) => start(e.touches[0].x, e.touches[0].y)}
          onTouchMove={(e) => move(e.touches[0].x, e.touches[0].y)}
          onTouchEnd={end}
          onTouchCancel={end}
        />
        {empty ? <View className="pledge-pad__hint">请在此处用手指写下姓名</View> : null}
      </View>
    </View>
  );
});

export default SignaturePad;
