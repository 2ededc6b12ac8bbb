import { useMemo, useState } from 'react';
import {
  comparePrinted,
  encoderDecoderCache,
  requireModel,
  whisperModelIds,
  whisperTable,
} from '../../roofline';
import { numberCodec } from '../../components/useUrlState';
import { BatchSlider, clampStep } from '../../components/Slider';
import { Tex } from '../../components/Tex';
import { formatCount, formatNumber } from '../../components/format';
import { useLessonState } from '../common/lessonState';
import { LessonCheckpoint } from '../common/LessonCheckpoint';
import { TitleText } from '../common/LessonLink';
import { FirstToken } from './FirstToken';
import {
  BATCH_EXP,
  DEFAULT_BATCH_EXP,
  P,
  PRINTED_BATCHES,
  WHISPER_ROWS,
  millions,
  times,
} from './whisper';

/**
 * The paper's Table 7 regenerated for the five Whisper sizes at the batch of the slider, the
 * paper's printed values under ours; then the time to first token at that batch.
 */
export function WhisperSection() {
  const [batchExp, setBatchExp] = useLessonState('batch', numberCodec, DEFAULT_BATCH_EXP);
  const [cacheRevealed, setCacheRevealed] = useState(false);
  const b = clampStep(batchExp, BATCH_EXP.min, BATCH_EXP.max);
  const batch = 2 ** b;
  const rows = useMemo(() => whisperTable(batch), [batch]);
  const tinyModel = requireModel(whisperModelIds[0]);
  const tiny = encoderDecoderCache(tinyModel);
  const [pW, nW] = [tinyModel.encoderLength ?? 0, tinyModel.decoderLength ?? 0];
  const savings = tiny.baseline / tiny.option2;
  const savingsChoices = [2, savings / 2, savings, 2 * savings];
  const printedHere = PRINTED_BATCHES.includes(batch);

  return (
    <>
      <h2>Whisper</h2>
      <p>
        The paper’s Table 7 works this out for the five Whisper sizes: <Tex>{'p = 1500'}</Tex>{' '}
        encoder frames, up to 448 decoder tokens, a vocabulary of 51,865. With the E-cache the
        decoder keeps its self K-cache (half the self KV-cache, as any slim decoder) and the
        E-cache; the E-cache is <Tex>{'p \\cdot d'}</Tex> values, at most{' '}
        {millions(encoderDecoderCache(requireModel('whisper-large')).eCache)}, small enough for the
        chip’s on-chip memory, so the paper lists it apart and counts only the self K-cache as the
        E-cache scheme’s cache.
      </p>
      <LessonCheckpoint
        id="whisper-cache"
        onRevealed={setCacheRevealed}
        question={<>How much smaller is Whisper’s cache with the E-cache than the baseline’s?</>}
        choices={savingsChoices.map((x) => ({ label: times(x), correct: x === savings }))}
        explanation={
          <p>
            The baseline holds <Tex>{'2pdl + 2ndl'}</Tex> values per sequence (cross and self
            KV-caches), the E-cache scheme only <Tex>{'ndl'}</Tex>: the ratio is{' '}
            <Tex>{'(2p + 2n)/n'}</Tex> = ({formatCount(2 * pW)} + {formatCount(2 * nW)})/
            {formatCount(nW)} = {times(savings)} for every size; the paper prints{' '}
            {P.option2Savings[0]}. The cross KV-cache, {formatNumber(pW / nW, 2)} times larger than
            the self KV-cache, is gone.
          </p>
        }
      />
      <BatchSlider range={BATCH_EXP} exponent={b} onChange={setBatchExp} />
      <p>
        Each decode step reads every decoder weight once for the whole batch, and every sequence’s
        own cache: values read per token = cache + weights / B. Speedups are those reads, baseline
        over each slim scheme.{' '}
        {printedHere
          ? `At B = ${batch} the paper prints this table; its values are shown under ours.`
          : 'The paper prints this table at B = 1 and B = 64; move the slider there to compare.'}
      </p>
      {cacheRevealed ? (
        <table className="diff-table whisper-table" aria-label="Whisper table">
          <thead>
            <tr>
              <th scope="col">values (M = million)</th>
              {rows.map((r) => (
                <th scope="col" key={r.model}>
                  {requireModel(r.model).name.replace('Whisper-', '')}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {WHISPER_ROWS.map((spec) => {
              const printed = spec.printed(batch);
              return (
                <tr key={spec.key}>
                  <th scope="row">
                    <TitleText text={spec.label} />
                  </th>
                  {rows.map((r, i) => {
                    const value = spec.value(r, i);
                    const paper = printed && comparePrinted(value, printed[i]);
                    return (
                      <td key={r.model} data-testid={`whisper-${spec.key}-${i}`}>
                        {spec.format(value)}
                        {paper && (
                          <span
                            className={paper.matches ? 'whisper-paper' : 'whisper-paper bad'}
                            data-testid={`whisper-paper-${spec.key}-${i}`}
                          >
                            paper {paper.printed}
                          </span>
                        )}
                      </td>
                    );
                  })}
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : (
        <p className="small">The Whisper table appears once the prediction above is answered.</p>
      )}
      <p>
        At B = 1 the weights dominate what a step reads and the E-cache even reads more weights, so
        the gain is small; as B grows the caches dominate and the speedup climbs toward the cache
        ratio.
      </p>

      <FirstToken batch={batch} />
    </>
  );
}
