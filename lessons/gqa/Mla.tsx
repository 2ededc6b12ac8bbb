import { Tex } from '../../components/Tex';

/** How slim attention relates to DeepSeek's multi-head latent attention. */
export function MlaSection() {
  return (
    <>
      <h2>DeepSeek’s MLA</h2>
      <p>
        DeepSeek-V2 and V3 use multi-head latent attention (MLA): each token is compressed to a
        short latent vector, only that latent is cached, and every head’s keys and values are made
        from it by learned up-projection matrices. The latent is much narrower than <Tex>{'d'}</Tex>
        , so MLA’s cache can be smaller than anything slim attention can reach, whose cached row is
        never narrower than <Tex>{'d'}</Tex>.
      </p>
      <p>
        The difference is when it happens. MLA’s bottleneck must be there during training: an
        existing MHA or GQA model cannot be turned into MLA exactly. Slim attention is an identity
        applied after the fact: it changes no weight’s meaning, needs no training and gives the same
        outputs (Appendix A names MLA as related work). In both, a cached row is turned back into
        keys and values by a fixed matrix product: slim’s <Tex>{'K^* = X W_K^*'}</Tex> is a “latent”
        of width <Tex>{'d'}</Tex> whose up-projections <Tex>{'W_K^{*-1} W_K'}</Tex> and{' '}
        <Tex>{'W_K^{*-1} W_V'}</Tex> are computed, not learned. MLA folds its key up-projection into
        the queries, as slim’s X-cache computes scores with{' '}
        <Tex>{'(x\\,W_{Q,i} W_{K,i}^\\top)\\,X^\\top'}</Tex> (paper §3); both tricks break when RoPE
        sits between the projection and the dot product, which is why MLA carries a separate small
        rotated key.
      </p>
      <p>
        So the ideas are compatible rather than competing: slim attention is for the many trained
        MHA models (and the few GQA ones with <Tex>{'c > 1'}</Tex>), MLA for models designed with a
        latent cache from the start. Slim attention also combines with FlashAttention, paged caches
        and cache quantization (Appendix A); a quantized cache’s saving multiplies slim’s.
      </p>
    </>
  );
}
