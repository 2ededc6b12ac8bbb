import { formatCount } from '../../components/format';

export interface DecoderSketchProps {
  /** The token arriving now. */
  token: string;
  /** The token the model predicts from it. */
  next: string;
  /** Rows in the cache after this token. */
  cacheRows: number;
}

/** Box of the sketch: x, y, width, height, label lines, class. */
interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
  lines: string[];
  className: string;
}

const W = 400;

/**
 * Where the KV-cache sits in a decoder, drawn by the app: the new token's embedding goes into the
 * attention layer, which appends its k and v rows to the cache beside it and reads every cached
 * row back; the output picks the next token, which comes back in as the next input.
 */
export function DecoderSketch({ token, next, cacheRows }: DecoderSketchProps) {
  const boxes: Box[] = [
    { x: 2, y: 24, w: 78, h: 44, lines: ['new token', `“${token}”`], className: 'io' },
    { x: 96, y: 24, w: 76, h: 44, lines: ['embedding', 'x'], className: 'block' },
    { x: 188, y: 16, w: 112, h: 60, lines: ['attention', 'q, k, v = x·W'], className: 'block' },
    { x: 316, y: 24, w: 82, h: 44, lines: ['next token', `“${next}”`], className: 'io' },
    {
      x: 188,
      y: 112,
      w: 112,
      h: 48,
      lines: ['KV-cache', `${formatCount(cacheRows)} ${cacheRows === 1 ? 'row' : 'rows'}`],
      className: 'cache',
    },
  ];
  return (
    <figure className="primer-figure">
      <svg
        className="decoder-sketch"
        viewBox={`0 0 ${W} 196`}
        role="img"
        aria-label={`A decoder step: “${token}” is embedded, its attention layer appends one key and one value row to the KV-cache (now ${cacheRows} rows) and reads all of them, and the output predicts “${next}”, which is fed back in.`}
      >
        <defs>
          <marker
            id="primer-arrow"
            viewBox="0 0 10 10"
            refX="9"
            refY="5"
            markerWidth="7"
            markerHeight="7"
            orient="auto-start-reverse"
          >
            <path d="M0,0 L10,5 L0,10 z" className="arrow-head" />
          </marker>
        </defs>
        {boxes.map((b) => (
          <g key={b.lines[0]} className={`sketch-box ${b.className}`}>
            <rect x={b.x} y={b.y} width={b.w} height={b.h} rx={6} />
            {b.lines.map((line, i) => (
              <text
                key={i}
                x={b.x + b.w / 2}
                y={b.y + b.h / 2 + (i - (b.lines.length - 1) / 2) * 16}
                dy="0.35em"
                textAnchor="middle"
                className={i === 0 ? 'box-title' : undefined}
              >
                {line}
              </text>
            ))}
          </g>
        ))}
        <g className="sketch-arrows">
          <line x1={80} y1={46} x2={94} y2={46} markerEnd="url(#primer-arrow)" />
          <line x1={172} y1={46} x2={186} y2={46} markerEnd="url(#primer-arrow)" />
          <line x1={300} y1={46} x2={314} y2={46} markerEnd="url(#primer-arrow)" />
          {/* append k, v (down) and read all rows back (up) */}
          <line x1={226} y1={76} x2={226} y2={110} markerEnd="url(#primer-arrow)" />
          <line x1={262} y1={112} x2={262} y2={78} markerEnd="url(#primer-arrow)" />
          {/* the prediction becomes the next input */}
          <path d="M357,68 L357,182 L41,182 L41,70" fill="none" markerEnd="url(#primer-arrow)" />
        </g>
        <text className="sketch-note" x={220} y={96} textAnchor="end">
          append k, v
        </text>
        <text className="sketch-note" x={268} y={96}>
          read all rows
        </text>
        <text className="sketch-note" x={199} y={178} textAnchor="middle">
          fed back in as the next input
        </text>
      </svg>
    </figure>
  );
}
