import { useState } from 'react';
import { Link } from 'react-router-dom';
import { ColumnHeads } from '../../components/ColumnHeads';
import { Tex } from '../../components/Tex';
import { formatBytes, formatCount, formatNumber } from '../../components/format';
import {
  bytesPerFormat,
  requireChip,
  requireModel,
  slimCacheValues,
  standardCacheValues,
} from '../../roofline';
import { LessonCheckpoint } from '../common/LessonCheckpoint';
import { SCENARIOS, explorerLink, ratio, scenarioTimes } from './speedups';

/** Phi-3-mini-128k at its full context (paper §1's worked example) for the formats FAQ. */
const PHI3 = requireModel('phi-3-mini-128k');
const PHI3_N = PHI3.contextLength ?? 131072;
const QUANT_FORMATS = ['fp16', 'int8', 'int4'] as const;

export function Faq() {
  const [quantRevealed, setQuantRevealed] = useState(false);
  const quant = QUANT_FORMATS.map((f) => ({
    format: f,
    standard: standardCacheValues(PHI3, PHI3_N) * bytesPerFormat[f],
    slim: slimCacheValues(PHI3, PHI3_N) * bytesPerFormat[f],
  }));
  const base = quant[0].standard;
  const int4Slim = quant[quant.length - 1].slim;
  const best = base / int4Slim;

  return (
    <>
      <h2>FAQ</h2>
      <h3>Does it work with FlashAttention?</h3>
      <p>
        Yes; they solve different problems. FlashAttention computes the attention core in tiles held
        in on-chip memory, so the score matrix is never written out; it does not change what is
        cached. The K-first order’s weighted sum <Tex>{'s\\,K'}</Tex> is the same kind of sum as{' '}
        <Tex>{'s\\,V'}</Tex>, over K rows the kernel has already loaded for the scores, followed by
        one small product with <Tex>{'W_{KV,i}'}</Tex> per head. The paper lists FlashAttention,
        PagedAttention and cache quantization as compatible with slim attention.
      </p>
      <h3>And with PagedAttention?</h3>
      <p>
        Yes. PagedAttention stores each sequence’s cache in fixed-size blocks, like pages of virtual
        memory, so a server wastes little memory on sequences of unknown length. A slim cache is a
        K-cache in the same blocks: half as many of them per sequence.
      </p>
      <h3>And with cache quantization?</h3>
      <p>
        Yes, and the savings multiply. Quantization stores each cached value in fewer bits; slim
        attention stores half as many values. {PHI3.name} at {formatCount(PHI3_N)} tokens, one
        sequence:
      </p>
      <LessonCheckpoint
        id="quant-multiply"
        onRevealed={setQuantRevealed}
        question={
          <>
            Its fp16 KV-cache is {formatBytes(base)}. Stored as an int4 slim K-cache, how many times
            smaller is it?
          </>
        }
        choices={[2, 4, 8, 16].map((x) => ({ label: `${x}×`, correct: x === best }))}
        explanation={
          <p>
            {bytesPerFormat.fp16} bytes per value → {bytesPerFormat.int4} is{' '}
            {bytesPerFormat.fp16 / bytesPerFormat.int4}×, half the values is 2× more:{' '}
            {formatNumber(best, 3)}×, {formatBytes(int4Slim)}.
          </p>
        }
      />
      {quantRevealed && (
        <table className="diff-table" aria-label="cache bytes by format">
          <ColumnHeads
            columns={['format (bytes per value)', 'KV-cache', 'slim K-cache', 'slim vs fp16 KV']}
          />
          <tbody>
            {quant.map((q) => (
              <tr key={q.format}>
                <th scope="row">
                  {q.format} ({bytesPerFormat[q.format]})
                </th>
                <td data-testid={`quant-kv-${q.format}`}>{formatBytes(q.standard)}</td>
                <td data-testid={`quant-slim-${q.format}`}>{formatBytes(q.slim)}</td>
                <td data-testid={`quant-ratio-${q.format}`}>{ratio(base / q.slim)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p>
        One caution: slim attention rebuilds V from the stored K through <Tex>{'W_{KV}'}</Tex>, so
        K’s rounding error reaches V amplified by how well <Tex>{'W_K'}</Tex> is conditioned
        (Appendix A). Check a quantized slim model on real outputs, as the Playground does.
      </p>
      <h3>What would a production server do?</h3>
      <p>
        Choose per deployment, from the roofline of its own model, chip, batch and context. Decode
        that waits for memory — long contexts, large batches — gains up to 2×; decode that is
        compute bound gains little or loses. A few whole decode steps (fp8 weights and cache, as the
        explorer opens):
      </p>
      <table className="diff-table" aria-label="whole decode steps">
        <ColumnHeads
          columns={['model on chip', 'batch', 'context', 'standard step', 'slim step', 'speedup']}
        />
        <tbody>
          {SCENARIOS.map((s, i) => {
            const t = scenarioTimes(s);
            return (
              <tr key={i}>
                <th scope="row">
                  <Link to={explorerLink(s)}>
                    {requireModel(s.model).name} on {requireChip(s.chip).name}
                  </Link>
                </th>
                <td>{s.batch}</td>
                <td>{formatCount(s.n)}</td>
                <td>{t.standard.bound} bound</td>
                <td>{t.slim.bound} bound</td>
                <td data-testid={`scenario-${i}`} className={t.speedup < 1 ? 'bad' : undefined}>
                  {ratio(t.speedup)}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <p>
        So a server would switch slim attention on where its decode is memory bound — most large
        GPUs at long context or large batch — keep the K-first order always, and measure where its
        chip’s ridge is low or its model has many heads. The question this lesson answers: when is
        slim attention slower than standard attention, and which part of the work makes it so?
      </p>
    </>
  );
}
