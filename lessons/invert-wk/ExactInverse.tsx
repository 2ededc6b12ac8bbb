import { useMemo } from 'react';
import { MatrixView } from '../../components/MatrixView';
import { Tex } from '../../components/Tex';
import { formatNumber } from '../../components/format';
import { PROMPT_IDS, embed, tokenText, type Mat } from '../common/toyData';
import type { Inversion } from '../common/inversion';
import { product } from '../common/toyEngine';
import type { ExactWkv } from './exactWkv';

export interface ExactInverseProps {
  wK: Mat;
  wV: Mat;
  exact: ExactWkv;
  inversion: Inversion;
}

/** W_K⁻¹ and W_KV exactly, then V rebuilt from the prompt's K (once the inverse is asked about). */
export function ExactInverse({ wK, wV, exact, inversion }: ExactInverseProps) {
  const X = useMemo(() => embed(PROMPT_IDS), []);
  const K = useMemo(() => product(X, wK), [X, wK]);
  const V = useMemo(() => product(X, wV), [X, wV]);
  const vFromK = useMemo(
    () => (inversion.wKV ? product(K, inversion.wKV) : undefined),
    [K, inversion.wKV],
  );
  const vGap = vFromK
    ? Math.max(...vFromK.flatMap((r, i) => r.map((x, j) => Math.abs(x - V[i][j]))))
    : undefined;

  return (
    <>
      <h2>
        The inverse and <Tex>{'W_{KV}'}</Tex>, exactly
      </h2>
      <p>
        Exact fractions from rational arithmetic; the engine’s float64 LU gives the same numbers up
        to rounding.{' '}
        {exact.allInteger ? (
          'Every entry of the inverse is an integer: with det = ±1, dividing the integer cofactors by det keeps them integers.'
        ) : (
          <>
            Entries are fractions: the inverse is the matrix of cofactors divided by{' '}
            <Tex>{'\\det(W_K)'}</Tex>.
          </>
        )}
      </p>
      <div className="matrix-row">
        <MatrixView label="W_K inverse" caption={<Tex>{'W_K^{-1}'}</Tex>} value={exact.inv} />
        <MatrixView label="W_KV" caption={<Tex>{'W_{KV} = W_K^{-1} W_V'}</Tex>} value={exact.wKV} />
      </div>
      <p>
        Check it by hand: <Tex>{'W_K \\cdot W_{KV} = W_K W_K^{-1} W_V = W_V'}</Tex>. In float64 the
        largest entry of <Tex>{'|W_K W_{KV} - W_V|'}</Tex> is{' '}
        <strong data-testid="check-error">{formatNumber(inversion.checkError ?? NaN)}</strong>.
      </p>
      <h2>V from K, on the prompt</h2>
      <p>
        The prompt “{PROMPT_IDS.map(tokenText).join(' ')}” as rows of X. Only K would be cached;
        multiplying it by <Tex>{'W_{KV}'}</Tex> gives V back.
      </p>
      <div className="matrix-row">
        <MatrixView
          label="K = X W_K"
          caption={<Tex>{'K = X W_K'}</Tex>}
          value={K}
          rowLabels={PROMPT_IDS.map(tokenText)}
        />
        {vFromK && (
          <MatrixView
            label="K W_KV"
            caption={<Tex>{'K\\,W_{KV}'}</Tex>}
            value={vFromK}
            rowLabels={PROMPT_IDS.map(tokenText)}
          />
        )}
        <MatrixView
          label="V = X W_V"
          caption={<Tex>{'V = X W_V'}</Tex>}
          value={V}
          rowLabels={PROMPT_IDS.map(tokenText)}
        />
      </div>
      <p>
        <Tex>{'\\max |K W_{KV} - X W_V|'}</Tex> ={' '}
        <strong data-testid="v-gap">{formatNumber(vGap ?? NaN)}</strong>.
      </p>
    </>
  );
}
