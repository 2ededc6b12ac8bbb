import { useState } from 'react';
import { firstTokenTimes, requireChip, requireModel } from '../../roofline';
import { ColumnHeads } from '../../components/ColumnHeads';
import { LessonCheckpoint } from '../common/LessonCheckpoint';
import { SCHEMES, ms, times } from './whisper';

/** Time to first token: the largest Whisper on the H200 in fp16 (2 bytes per value). */
const TTFT_MODEL = requireModel('whisper-large');
const TTFT_CHIP = requireChip('nvidia-h200');
const TTFT_DTYPE = 'fp16';

/** What the E-cache's missing cross phase does to the time to first token, at the given batch. */
export function FirstToken({ batch }: { batch: number }) {
  const [ttftRevealed, setTtftRevealed] = useState(false);
  const ttft = firstTokenTimes(TTFT_MODEL, TTFT_CHIP, TTFT_DTYPE, { batch });
  const ttftChoices = [
    { label: 'Yes: about twice as fast', correct: ttft.speedup.option2 >= 1.5 },
    {
      label: 'Faster, but far from twice: the prompt phase stays',
      correct: ttft.speedup.option2 > 1 && ttft.speedup.option2 < 1.5,
    },
    { label: 'No faster at all', correct: ttft.speedup.option2 <= 1 },
  ];

  return (
    <>
      <h2>Time to first token</h2>
      <p>
        Before the first token, the prompt phase runs the encoder and the cross phase projects E for
        every layer. The K-caches compute only the cross K there, half the work; the E-cache skips
        the cross phase entirely. The cost model times each phase on the roofline, as the larger of
        compute time and memory time, for {TTFT_MODEL.name} on the {TTFT_CHIP.name} in {TTFT_DTYPE},
        at the batch above (B = {batch}).
      </p>
      <LessonCheckpoint
        id="first-token"
        onRevealed={setTtftRevealed}
        question={
          <>
            The E-cache removes the cross phase. Does {TTFT_MODEL.name}’s first token (B = {batch})
            come twice as fast?
          </>
        }
        choices={ttftChoices}
        explanation={
          <p>
            The prompt phase, the encoder over 1500 frames with no causal mask, is the same for all
            three schemes and takes {ms(ttft.prompt.seconds)}; the cross phase it saves is{' '}
            {ms(ttft.cross.baseline.seconds)}. The E-cache’s first token comes{' '}
            {times(ttft.speedup.option2)} sooner.
          </p>
        }
      />
      {ttftRevealed ? (
        <table className="diff-table" aria-label="time to first token">
          <ColumnHeads columns={['phase', 'baseline', 'K-caches', 'E-cache']} />
          <tbody>
            <tr>
              <th scope="row">prompt (encoder)</th>
              {SCHEMES.map((s) => (
                <td key={s} data-testid={`ttft-prompt-${s}`}>
                  {ms(ttft.prompt.seconds)}
                </td>
              ))}
            </tr>
            <tr>
              <th scope="row">cross</th>
              {SCHEMES.map((s) => (
                <td key={s} data-testid={`ttft-cross-${s}`}>
                  {ttft.cross[s].bound === 'none' ? 'none' : ms(ttft.cross[s].seconds)}
                </td>
              ))}
            </tr>
            <tr>
              <th scope="row">first decode step</th>
              {SCHEMES.map((s) => (
                <td key={s} data-testid={`ttft-step-${s}`}>
                  {ms(ttft.firstStep[s].seconds)}
                </td>
              ))}
            </tr>
            <tr>
              <th scope="row">time to first token</th>
              {SCHEMES.map((s) => (
                <td key={s} data-testid={`ttft-total-${s}`}>
                  <strong>{ms(ttft.total[s])}</strong>
                </td>
              ))}
            </tr>
          </tbody>
        </table>
      ) : (
        <p className="small">The phase times appear once the prediction above is answered.</p>
      )}
    </>
  );
}
