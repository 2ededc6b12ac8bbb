import { useEffect, useLayoutEffect, useMemo, useRef, type KeyboardEvent } from 'react';
import { drag } from 'd3-drag';
import { easeCubicOut } from 'd3-ease';
import { interpolateNumber } from 'd3-interpolate';
import { scaleBand, scaleLinear, scalePoint } from 'd3-scale';
import { select, type Selection } from 'd3-selection';
// d3-transition adds selection.transition() and interrupt().
import { interrupt } from 'd3-transition';
import { formatNumber } from '../../components/format';
import { tokenText } from '../common/toyData';
import type { PrimerStep } from './primerRun';
import { TableScroll } from '../../components/TableScroll';

/** How long a new cache row takes to slide in, and the weight bars to settle (ms). */
export const ARRIVAL_MS = 700;

/** True when the reader asked for less motion (no transitions: every frame is a still). */
export function prefersReducedMotion(): boolean {
  return (
    typeof window !== 'undefined' &&
    typeof window.matchMedia === 'function' &&
    window.matchMedia('(prefers-reduced-motion: reduce)').matches
  );
}

/**
 * Stops any running transition on the selected elements. Calls d3's own `interrupt` function
 * rather than `selection.interrupt()`: the selection methods are installed by d3-transition as a
 * side effect of loading, and the bundler keeps that module only when one of its exports is used.
 */
function halt<E extends Element, D, P extends Element | null, PD>(sel: Selection<E, D, P, PD>) {
  return sel.each(function () {
    interrupt(this);
  });
}

// ------------------------------------------------------------------ layout (viewBox units)

const CELL = 46;
const COL = {
  token: 64, // right edge of the token labels
  k: 70, // K-cache cells: k .. k + 4·CELL
  score: 278, // centre of the score column
  p: 302, // weight bars: p .. p + P_MAX
  v: 366, // V-cache cells
};
const P_MAX = 56;
const WIDTH = COL.v + 4 * CELL + 4;
const LANE_Y = 26; // the new token's q row
const ROWS_Y = 66; // first cache slot
const ROW_H = 28;
const CELL_H = 22;

/** The cache's capacity in the picture: one slot per token the primer feeds in. */
function layout(slots: number) {
  const rows = scaleBand<number>()
    .domain([...Array(slots).keys()])
    .range([ROWS_Y, ROWS_Y + slots * ROW_H])
    .paddingInner(0);
  const outY = ROWS_Y + slots * ROW_H + 14;
  return { rows, outY, height: outY + CELL_H + 8 };
}

const barWidth = scaleLinear().domain([0, 1]).range([0, P_MAX]).clamp(true);

/** One row of d values as shaded cells; the shade grows with |value|, hue by sign. */
function Cells({
  x,
  values,
  name,
  shade,
}: {
  x: number;
  values: readonly number[];
  name: string;
  shade: (v: number) => number;
}) {
  return (
    <g data-values={name}>
      {values.map((v, j) => (
        <g key={j} transform={`translate(${x + j * CELL},0)`}>
          <rect
            className={v < 0 ? 'cell neg' : 'cell pos'}
            width={CELL - 2}
            height={CELL_H}
            rx={3}
            fillOpacity={shade(v)}
          />
          <text className="cell-value" x={(CELL - 2) / 2} y={CELL_H / 2} dy="0.35em">
            {formatNumber(v, 3)}
          </text>
        </g>
      ))}
    </g>
  );
}

export interface PrimerDiagramProps {
  /** The step shown: the newest token's query against every cached row. */
  step: PrimerStep;
  /** Cache slots drawn (the primer's whole sequence), so the growth is visible. */
  slots: number;
}

/**
 * One attention head on the toy model, drawn by the app: the new token's query on top, the
 * KV-cache as one row per token read so far (empty slots dashed), each row's score and softmax
 * weight between its key and its value, and the weighted sum of the values at the bottom.
 * React owns the SVG's structure; d3 supplies the scales and animates what changes between
 * steps (a new row slides from the query lane into its slot; weight bars grow or shrink). With
 * reduced motion, or when printing, every change is applied at once.
 */
export function PrimerDiagram({ step, slots }: PrimerDiagramProps) {
  const svgRef = useRef<SVGSVGElement>(null);
  const shownRows = useRef(0);
  const { rows, outY, height } = useMemo(() => layout(slots), [slots]);
  const n = step.ids.length;
  const newest = tokenText(step.ids[n - 1]);
  const all = [step.q, ...step.K, ...step.V, step.head].flat();
  const maxAbs = Math.max(1e-12, ...all.map(Math.abs));
  const shade = scaleLinear().domain([0, maxAbs]).range([0.06, 0.5]).clamp(true);
  const best = step.probs.indexOf(Math.max(...step.probs));

  useLayoutEffect(() => {
    const svg = svgRef.current;
    if (!svg) return;
    const still = prefersReducedMotion();
    const before = shownRows.current;
    shownRows.current = n;
    const bars = halt(select(svg).selectAll<SVGRectElement, number>('rect.p-bar').data(step.probs));
    const rowsSel = select(svg).selectAll<SVGGElement, unknown>('g.cache-row');
    if (still) {
      bars.attr('width', (p) => barWidth(p));
      halt(rowsSel).attr('opacity', 1);
      return;
    }
    bars
      .transition()
      .duration(ARRIVAL_MS)
      .ease(easeCubicOut)
      .attr('width', (p) => barWidth(p));
    // Rows that arrived since the last frame slide down from the query lane into their slot.
    rowsSel
      .filter((_, i) => i >= before && i < n)
      .each(function (_, i) {
        const row = before + i;
        const y = rows(row) ?? ROWS_Y;
        halt(select(this))
          .attr('opacity', 0)
          .attr('transform', `translate(0,${LANE_Y})`)
          .transition()
          .delay(i * 120)
          .duration(ARRIVAL_MS)
          .ease(easeCubicOut)
          .attr('opacity', 1)
          // Tween the offset itself: both ends are known numbers, no transform parsing needed.
          .attrTween('transform', () => {
            const at = interpolateNumber(LANE_Y, y);
            return (k: number) => `translate(0,${at(k)})`;
          });
      });
  }, [step, n, rows]);

  // Printing mid-animation would freeze a half-drawn frame: finish every transition first.
  useEffect(() => {
    const finish = () => {
      const svg = svgRef.current;
      if (!svg) return;
      halt(select(svg).selectAll<SVGRectElement, number>('rect.p-bar')).attr('width', (p) =>
        barWidth(p),
      );
      halt(select(svg).selectAll<SVGGElement, unknown>('g.cache-row'))
        .attr('opacity', 1)
        .attr('transform', function () {
          return `translate(0,${rows(Number(this.dataset.row)) ?? ROWS_Y})`;
        });
    };
    window.addEventListener('beforeprint', finish);
    return () => window.removeEventListener('beforeprint', finish);
  }, [rows]);

  return (
    <figure className="primer-figure">
      <TableScroll label="Attention step diagram" className="primer-scroll">
        <svg
          ref={svgRef}
          className="primer-diagram"
          viewBox={`0 0 ${WIDTH} ${height}`}
          role="img"
          aria-label={`One attention head after ${n} ${n === 1 ? 'token' : 'tokens'}: the query of “${newest}” is scored against ${n} cached key ${n === 1 ? 'row' : 'rows'}, and the softmax weights mix ${n} value ${n === 1 ? 'row' : 'rows'}.`}
        >
          <g className="col-heads">
            <text x={COL.token} y={10} textAnchor="end">
              token
            </text>
            <text x={COL.k + 2 * CELL} y={10} textAnchor="middle">
              keys K
            </text>
            <text x={COL.score} y={10} textAnchor="middle">
              score
            </text>
            <text x={COL.p + P_MAX / 2} y={10} textAnchor="middle">
              weight p
            </text>
            <text x={COL.v + 2 * CELL} y={10} textAnchor="middle">
              values V
            </text>
          </g>

          <g className="query-lane" transform={`translate(0,${LANE_Y})`} data-testid="primer-q">
            <text className="lane-label" x={COL.token} y={CELL_H / 2} dy="0.35em" textAnchor="end">
              q
            </text>
            <Cells x={COL.k} values={step.q} name="q" shade={shade} />
            <text className="lane-note" x={COL.p - 8} y={CELL_H / 2} dy="0.35em">
              q·kⱼ / √d
            </text>
          </g>

          <rect
            className="cache-frame"
            x={2}
            y={ROWS_Y - 8}
            width={WIDTH - 4}
            height={slots * ROW_H + 10}
            rx={6}
          />
          <text className="cache-label" x={WIDTH - 8} y={ROWS_Y - 12} textAnchor="end">
            KV-cache: <tspan data-testid="primer-cache-rows">{n}</tspan> of {slots} rows
          </text>

          {[...Array(slots).keys()]
            .filter((j) => j >= n)
            .map((j) => (
              <g key={`slot-${j}`} className="empty-slot" transform={`translate(0,${rows(j)})`}>
                <rect x={COL.k} width={4 * CELL - 2} height={CELL_H} rx={3} />
                <rect x={COL.v} width={4 * CELL - 2} height={CELL_H} rx={3} />
              </g>
            ))}

          {step.K.map((k, j) => (
            <g
              key={j}
              className={j === n - 1 ? 'cache-row newest' : 'cache-row'}
              data-row={j}
              data-slot-y={rows(j)}
              transform={`translate(0,${rows(j)})`}
            >
              <text
                className={j === best ? 'row-token best' : 'row-token'}
                x={COL.token}
                y={CELL_H / 2}
                dy="0.35em"
                textAnchor="end"
              >
                {tokenText(step.ids[j])}
              </text>
              <Cells x={COL.k} values={k} name="k" shade={shade} />
              <text
                className="score"
                x={COL.score}
                y={CELL_H / 2}
                dy="0.35em"
                textAnchor="middle"
                data-testid="primer-score"
              >
                {formatNumber(step.scores[j], 3)}
              </text>
              <rect className="p-track" x={COL.p} y={CELL_H - 7} width={P_MAX} height={6} rx={3} />
              <rect className="p-bar" x={COL.p} y={CELL_H - 7} height={6} rx={3} />
              <text className="p-value" x={COL.p + P_MAX / 2} y={7} dy="0.35em" textAnchor="middle">
                <tspan data-testid="primer-prob">{formatNumber(step.probs[j], 3)}</tspan>
              </text>
              <Cells x={COL.v} values={step.V[j]} name="v" shade={shade} />
            </g>
          ))}

          <g className="output-row" transform={`translate(0,${outY})`} data-testid="primer-output">
            <text className="lane-label" x={COL.v - 8} y={CELL_H / 2} dy="0.35em" textAnchor="end">
              output Σ pⱼ·vⱼ
            </text>
            <Cells x={COL.v} values={step.head} name="output" shade={shade} />
          </g>
        </svg>
      </TableScroll>
      <figcaption className="small" aria-live="polite" data-testid="primer-caption">
        Token {n} of {slots}: “{newest}” asks with its query, scores all {n} cached{' '}
        {n === 1 ? 'key' : 'keys'} and takes most from “{tokenText(step.ids[best])}” (p ={' '}
        {formatNumber(step.probs[best], 3)}).
      </figcaption>
    </figure>
  );
}

export interface TokenScrubberProps {
  ids: readonly number[];
  /** Tokens read so far, 1 … ids.length. */
  value: number;
  onChange: (n: number) => void;
}

/**
 * The token timeline: one stop per token, a handle to drag (d3-drag, snapping to the nearest
 * stop), click a stop to jump, or focus the handle and use the arrow keys, Home and End.
 */
export function TokenScrubber({ ids, value, onChange }: TokenScrubberProps) {
  const handleRef = useRef<SVGGElement>(null);
  const onChangeRef = useRef(onChange);
  useLayoutEffect(() => {
    onChangeRef.current = onChange;
  });
  // Narrower than the diagram, so that its labels stay readable on a phone.
  const width = 400;
  const x = scalePoint<number>()
    .domain(ids.map((_, i) => i + 1))
    .range([24, width - 24]);
  const xOf = (n: number) => x(n) ?? 24;
  const domain = x.domain();
  const range = [xOf(1), xOf(ids.length)];

  useEffect(() => {
    const el = handleRef.current;
    if (!el) return;
    const nearest = (px: number) => {
      let bestN = 1;
      for (const n of domain) if (Math.abs(xOf(n) - px) < Math.abs(xOf(bestN) - px)) bestN = n;
      return bestN;
    };
    select(el).call(
      drag<SVGGElement, unknown>().on('drag', (event: { x: number }) => {
        const n = nearest(Math.min(range[1], Math.max(range[0], event.x)));
        onChangeRef.current(n);
      }),
    );
    return () => {
      select(el).on('.drag', null);
    };
    // The scale only changes with the number of tokens.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ids.length]);

  const onKeyDown = (e: KeyboardEvent<SVGGElement>) => {
    const to: Record<string, number> = {
      ArrowRight: value + 1,
      ArrowUp: value + 1,
      ArrowLeft: value - 1,
      ArrowDown: value - 1,
      Home: 1,
      End: ids.length,
    };
    if (!(e.key in to)) return;
    e.preventDefault();
    onChange(Math.min(ids.length, Math.max(1, to[e.key])));
  };

  return (
    <svg className="token-scrubber" viewBox={`0 0 ${width} 48`} aria-label="Token timeline">
      <line className="track" x1={range[0]} x2={range[1]} y1={30} y2={30} />
      <line className="track-done" x1={range[0]} x2={xOf(value)} y1={30} y2={30} />
      {ids.map((id, i) => (
        <g
          key={i}
          className={i < value ? 'stop read' : 'stop'}
          transform={`translate(${xOf(i + 1)},0)`}
          onClick={() => onChange(i + 1)}
        >
          <text y={12} textAnchor="middle">
            {tokenText(id)}
          </text>
          <circle cy={30} r={5} />
        </g>
      ))}
      <g
        ref={handleRef}
        className="handle"
        transform={`translate(${xOf(value)},30)`}
        role="slider"
        tabIndex={0}
        aria-label="tokens read"
        aria-valuemin={1}
        aria-valuemax={ids.length}
        aria-valuenow={value}
        aria-valuetext={`${value} of ${ids.length} tokens read, newest “${tokenText(ids[value - 1])}”`}
        onKeyDown={onKeyDown}
      >
        <circle r={11} />
      </g>
    </svg>
  );
}
