import { Tex } from '../components/Tex';
import { kernels } from '../engine';

/** The GLSL the slim decode step runs, beside the math it implements (paper §1, §2). */
export function KernelView() {
  return (
    <details className="kernel-view">
      <summary>View the kernel: slim decode, K-first order</summary>
      <div className="kernel-grid">
        <div className="kernel-math">
          <p>One decode step at position n, for every head i (paper §2, option 2):</p>
          <Tex
            block
          >{String.raw`s_i = \operatorname{softmax}\!\left(\frac{q_i K_i^\top}{\sqrt{d_k}}\right) \in \mathbb{R}^{1\times n}`}</Tex>
          <p>
            Weighted sum of the <em>whole</em> K rows (d wide, not only head i): the K-cache is the
            only cache.
          </p>
          <Tex block>{String.raw`u_i = s_i\,K \in \mathbb{R}^{1\times d}`}</Tex>
          <p>All heads at once, one block-diagonal product with W_KV = W_K⁻¹ W_V:</p>
          <Tex block>{String.raw`y_i = u_i\,W_{KV,i} \in \mathbb{R}^{1\times d_k}`}</Tex>
          <p>
            Cost per head 2·n·d + 2·d·d_k OPs; cache reads n·d values instead of 2·n·d (paper §2,
            Table 2). s and u = s·K for all h heads at once: <code>attnDecode</code>, one draw in
            which each fragment runs an online softmax (a running max and sum) over the n keys, so
            the probabilities are never stored; for long contexts, where repeating each head’s q·K
            per fragment would cost more than a draw, the scaled scores come from one{' '}
            <code>attnScores</code> draw first. y = u·W_KV: <code>matmulNN</code> with HEAD_ROWS, a
            GEMV per head (split over its reduction only when it is 1,024 values or longer).
          </p>
        </div>
        <div className="kernel-code">
          {[kernels.attnDecode, kernels.attnScores, kernels.matmulNN].map((k) => (
            <figure key={k.name}>
              <figcaption>
                <code>{k.name}</code> (GLSL ES 3.0 fragment shader body)
              </figcaption>
              <pre>
                <code>{k.body.trim()}</code>
              </pre>
            </figure>
          ))}
        </div>
      </div>
    </details>
  );
}
