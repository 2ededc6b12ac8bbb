import type * as Plot from '@observablehq/plot';
import {
  headColumns,
  headRows,
  maxAbsDiff,
  sharedRowSkips,
  sharedRowSparsity,
  sparseKFirstSum,
  sparseWeightedSum,
  sparsityWorkFactor,
  type AttentionProbe,
  type ModelTokenizer,
  type SharedRowResult,
  type SparseResult,
} from '../../engine';
import { formatNumber } from '../../components/format';
import { rowChart } from './rowChart';
import type { Probes } from './useMobyProbes';

/** The paper's figures (Appendix D): S = 0.8, and g = 4 heads sharing a value row. */
const PAPER_S = 0.8;
const PAPER_G = 4;
export const paperWork = sparsityWorkFactor(PAPER_S);
export const paperShared = sharedRowSparsity(PAPER_S, PAPER_G);

/** Standard and slim option 2 for one head at one threshold, from one probe. */
function headRun(probe: AttentionProbe, head: number, threshold: number) {
  const { heads } = probe;
  const probs = headRows(probe.probs, heads, head);
  const options = { heads: 1, threshold };
  const standard = sparseWeightedSum(probs, headColumns(probe.values, heads, head), options);
  const valueBias =
    probe.valueBias &&
    headColumns({ rows: 1, cols: probe.valueBias.length, data: probe.valueBias }, heads, head).data;
  const slim = sparseKFirstSum(probs, probe.keys, headColumns(probe.wKV, heads, head), {
    ...options,
    valueBias,
  });
  return { probs: probs.data, standard, slim };
}

/** "3 “ me”": position and token text, unique per bar. */
function tokenLabels(tokenizer: ModelTokenizer, ids: readonly number[]): string[] {
  return ids.map((id, j) => `${j} “${tokenizer.decode([id])}”`);
}

/** What the lesson computes from the probes for the chosen head and threshold. */
export interface Run {
  r64: { probs: Float64Array; standard: SparseResult; slim: SparseResult };
  /** max |Δ| of the sparse head outputs, standard vs slim option 2, per dtype. */
  diff64: number;
  diff32: number;
  chart: Plot.PlotOptions;
  /** The threshold these results are for. */
  tau: number;
  /** The layer's heads. */
  layerHeads: number;
  /** The layer's first four heads grouped g = 1, 2, 4 at a time. */
  groups: SharedRowResult[];
  /** All heads as one group: the key rows no head keeps. */
  anyHead: SharedRowResult;
}

/** What the lesson shows for head `head` (0-based) at threshold `tau`, from one layer's probes. */
export function layerRun(
  probes: Probes,
  tokenizer: ModelTokenizer,
  head: number,
  tau: number,
): Run {
  const h = Math.min(head, probes.f64.heads - 1);
  const r64 = headRun(probes.f64, h, tau);
  const r32 = headRun(probes.f32, h, tau);
  // The first PAPER_G heads (all of them when the layer has exactly that many) grouped g at a time.
  const { heads, probs } = probes.f64;
  const grouped = Math.min(heads, PAPER_G);
  const groupedProbs = {
    rows: (probs.rows / heads) * grouped,
    cols: probs.cols,
    data: Array.prototype.slice.call(probs.data, 0, (probs.rows / heads) * grouped * probs.cols),
  };
  const groups = [1, 2, 4]
    .filter((g) => grouped % g === 0)
    .map((g) => sharedRowSkips(groupedProbs, { heads: grouped, threshold: tau, group: g }));
  const anyHead = sharedRowSkips(probes.f64.probs, {
    heads: probes.f64.heads,
    threshold: tau,
    group: probes.f64.heads,
  });
  return {
    r64,
    diff64: maxAbsDiff([r64.standard.output], [r64.slim.output]),
    diff32: maxAbsDiff([r32.standard.output], [r32.slim.output]),
    chart: rowChart(tokenLabels(tokenizer, probes.ids), r64.probs, tau),
    tau,
    layerHeads: heads,
    groups,
    anyHead,
  };
}

/** A work factor as the lesson prints it (∞ when every row is skipped). */
export const times = (x: number) =>
  Number.isFinite(x) ? `${formatNumber(x, 3)}×` : '∞ (every row)';
