import './rope.css';
import { useEffect, useLayoutEffect, useRef, type KeyboardEvent } from 'react';
import { drag } from 'd3-drag';
import { scaleLinear } from 'd3-scale';
import { select } from 'd3-selection';
import { formatNumber } from '../../components/format';

type Point = readonly [number, number];

export interface RopeCircleProps {
  /** Raw (un-rotated) first pair of q and of k. */
  qRaw: Point;
  kRaw: Point;
  /** The pair rotated to every position 0 … stops − 1 (from the engine's rope). */
  qStops: readonly Point[];
  kStops: readonly Point[];
  qPos: number;
  kPos: number;
  onQPos: (m: number) => void;
  onKPos: (j: number) => void;
}

const SIZE = 300;
const C = SIZE / 2;

/**
 * The first rotation pair of q and k as arrows on a plane: each tip can only sit at its rotated
 * position 0 … P − 1 (dots on its circle); drag a tip (d3-drag, snapping to the nearest dot),
 * or focus it and use the arrow keys, Home and End.
 */
export function RopeCircle({
  qRaw,
  kRaw,
  qStops,
  kStops,
  qPos,
  kPos,
  onQPos,
  onKPos,
}: RopeCircleProps) {
  const radius = Math.max(Math.hypot(...qRaw), Math.hypot(...kRaw), 1e-9) * 1.18;
  const sx = scaleLinear()
    .domain([-radius, radius])
    .range([16, SIZE - 16]);
  const sy = scaleLinear()
    .domain([-radius, radius])
    .range([SIZE - 16, 16]);
  const at = (p: Point): [number, number] => [sx(p[0]), sy(p[1])];

  const qRef = useRef<SVGGElement>(null);
  const kRef = useRef<SVGGElement>(null);
  const latest = useRef({ qStops, kStops, onQPos, onKPos, sx, sy });
  useLayoutEffect(() => {
    latest.current = { qStops, kStops, onQPos, onKPos, sx, sy };
  });

  useEffect(() => {
    const bind = (el: SVGGElement | null, which: 'q' | 'k') => {
      if (!el) return;
      select(el).call(
        drag<SVGGElement, unknown>()
          .container(() => el.ownerSVGElement as SVGSVGElement)
          .on('drag', (event: { x: number; y: number }) => {
            const { qStops: qs, kStops: ks, onQPos: oq, onKPos: ok, sx: x, sy: y } = latest.current;
            const stops = which === 'q' ? qs : ks;
            // Nearest stop by direction from the centre (the tips' lengths never change).
            const angle = Math.atan2(-(event.y - C), event.x - C);
            let best = 0;
            let bestGap = Infinity;
            stops.forEach((p, i) => {
              const a = Math.atan2(-(y(p[1]) - C), x(p[0]) - C);
              const gap = Math.abs(Math.atan2(Math.sin(a - angle), Math.cos(a - angle)));
              if (gap < bestGap) [best, bestGap] = [i, gap];
            });
            (which === 'q' ? oq : ok)(best);
          }),
      );
    };
    bind(qRef.current, 'q');
    bind(kRef.current, 'k');
    const els = [qRef.current, kRef.current];
    return () => {
      for (const el of els) if (el) select(el).on('.drag', null);
    };
  }, []);

  const keys = (value: number, set: (v: number) => void, last: number) => (e: KeyboardEvent) => {
    const to: Record<string, number> = {
      ArrowRight: value + 1,
      ArrowUp: value + 1,
      ArrowLeft: value - 1,
      ArrowDown: value - 1,
      Home: 0,
      End: last,
    };
    if (!(e.key in to)) return;
    e.preventDefault();
    set(Math.min(last, Math.max(0, to[e.key])));
  };

  const arrow = (which: 'q' | 'k', stops: readonly Point[], raw: Point, pos: number) => {
    const tip = at(stops[pos]);
    const [rx, ry] = at(raw);
    const r = sx(Math.hypot(...raw)) - C;
    const last = stops.length - 1;
    const set = which === 'q' ? onQPos : onKPos;
    const name = which === 'q' ? 'query' : 'key';
    return (
      <g className={`vec ${which}`}>
        <circle className="orbit" cx={C} cy={C} r={r} />
        {stops.map((p, i) => {
          const [x, y] = at(p);
          const [lx, ly] = [C + (x - C) * 1.1, C + (y - C) * 1.1];
          return (
            <g key={i}>
              <circle className="stop" cx={x} cy={y} r={2.5} />
              {which === 'q' && (
                <text className="stop-label" x={lx} y={ly + 3} textAnchor="middle">
                  {i}
                </text>
              )}
            </g>
          );
        })}
        <line className="raw" x1={C} y1={C} x2={rx} y2={ry} />
        <line className={`vec-${which}`} x1={C} y1={C} x2={tip[0]} y2={tip[1]} />
        <g
          ref={which === 'q' ? qRef : kRef}
          className={`handle ${which}`}
          transform={`translate(${tip[0]},${tip[1]})`}
          role="slider"
          tabIndex={0}
          aria-label={`${name} position`}
          aria-valuemin={0}
          aria-valuemax={last}
          aria-valuenow={pos}
          aria-valuetext={`${name} at position ${pos}, turned by ${formatNumber(pos, 3)} × θ₁`}
          onKeyDown={keys(pos, set, last)}
        >
          <circle r={10} />
          <text className="handle-label" y={-14} textAnchor="middle">
            {which === 'q' ? `q̃ (m=${pos})` : `k̃ (j=${pos})`}
          </text>
        </g>
      </g>
    );
  };

  return (
    <svg
      className="rope-circle"
      viewBox={`0 0 ${SIZE} ${SIZE}`}
      role="group"
      aria-label="RoPE rotation of the first pair of q and k"
    >
      <line className="axis" x1={8} x2={SIZE - 8} y1={C} y2={C} />
      <line className="axis" y1={8} y2={SIZE - 8} x1={C} x2={C} />
      {arrow('k', kStops, kRaw, kPos)}
      {arrow('q', qStops, qRaw, qPos)}
    </svg>
  );
}
