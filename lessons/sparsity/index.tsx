import './sparsity.css';
import { Tex } from '../../components/Tex';
import { GqaSharing } from './GqaSharing';
import { ThresholdRow } from './ThresholdRow';
import { useAttentionRow } from './useAttentionRow';
import { MODEL } from './useMobyProbes';
import { WithRope } from './WithRope';
import { WorkSaved } from './WorkSaved';
import { LessonLink } from '../common/LessonLink';
import mobyConfig from '../../public/models/moby-gpt2/config.json';

export { SPARSITY_DEFAULT_PROMPT, SPARSITY_MAX_TOKENS } from './useAttentionRow';

const PAPER = 'https://arxiv.org/abs/2503.05840';

export function SparsityLesson() {
  const row = useAttentionRow();
  const { model, probes, run, tau } = row;
  const n = probes?.ids.length;
  return (
    <>
      <p>
        After softmax, most of a query’s weights are tiny. Decoding one token computes the weighted
        sum <Tex>{'y = \\sum_j s_j v_j'}</Tex> over all <Tex>{'n'}</Tex> cached tokens:{' '}
        <Tex>{'s_j'}</Tex> is the softmax weight (score) of token <Tex>{'j'}</Tex> and{' '}
        <Tex>{'v_j'}</Tex> its value row. <a href={PAPER}>The paper’s Appendix D</a> skips the rows
        whose weight is below a threshold <Tex>{'\\tau'}</Tex>: they contribute almost nothing, and
        each skipped row is work (and memory traffic) saved. The share of rows skipped is the{' '}
        <em>sparsity</em> <Tex>{'S'}</Tex>.
      </p>
      <p>
        Slim attention can skip the same rows. Its K-first order (paper §2, option 2), met in{' '}
        <LessonLink slug="generate" />, first sums the cached keys with the same weights and
        multiplies by <Tex>{'W_{KV}'}</Tex> once; a row with <Tex>{'s_j < \\tau'}</Tex> drops out of
        that sum exactly as <Tex>{'v_j'}</Tex> drops out of the standard one, because{' '}
        <Tex>{'v_j = k_j W_{KV}'}</Tex>:
      </p>
      <Tex block>
        {
          '\\underbrace{\\sum_{s_j \\ge \\tau} s_j\\, v_j}_{\\text{standard}} \\;=\\; \\underbrace{\\Big(\\sum_{s_j \\ge \\tau} s_j\\, k_j\\Big)\\, W_{KV}}_{\\text{slim, K-first}}'
        }
      </Tex>
      <p>
        To see real weights, this lesson runs <strong>{MODEL}</strong>, the small GPT-2 the
        Playground uses (trained on Moby-Dick and the State of the Union addresses;{' '}
        {mobyConfig.n_layer} layers of {mobyConfig.n_head} heads, width{' '}
        <Tex>{`d = ${mobyConfig.n_embd}`}</Tex>, head width{' '}
        <Tex>{`d_k = ${mobyConfig.n_embd / mobyConfig.n_head}`}</Tex>), in your browser on the
        engine’s CPU backend, in float64 and float32. Your prompt goes through it, and the lesson
        reads the softmax weights <Tex>{'s_j'}</Tex> of the prompt’s last token in the layer and
        head you choose.
      </p>
      <ThresholdRow row={row} />
      <WorkSaved run={run} n={n} tau={run?.tau ?? tau} />
      <GqaSharing run={run} layer={probes?.f64.layer} />
      <WithRope run={run} n={n} e={model?.d ?? 0} tau={run?.tau ?? tau} />
    </>
  );
}
