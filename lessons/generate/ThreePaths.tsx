import type { ReactNode } from 'react';
import { valueSideOpsPerHead } from '../../roofline';
import { MatrixView } from '../../components/MatrixView';
import { Tex } from '../../components/Tex';
import { formatCount } from '../../components/format';
import { D } from '../common/toyData';
import type { DecodeStepDetail } from '../common/toyRuns';

/** A realistic size for the cost comparison (d and h of a 7B MHA model, 4K context). */
const BIG = { d: 4096, h: 32, n: 4096 };
const bigOps = valueSideOpsPerHead(BIG);

/** The standard path and both slim orders (paper §2) at this step, each with its OP count per head. */
export function ThreePaths({ detail, n }: { detail: DecodeStepDetail; n: number }) {
  const ops = valueSideOpsPerHead({ d: D, h: 1, n });
  return (
    <>
      <h2>Three ways to the same head output</h2>
      <div className="paths">
        <PathSection
          label="Standard path"
          title="Standard"
          blurb="Reads the V-cache."
          opsTestId="ops-standard"
          ops={ops.vanilla}
          opsFormula="2·n·d_k"
        >
          <MatrixView label="V-cache" caption={<Tex>{'V'}</Tex>} value={detail.V} />
          <MatrixView
            label="standard head output"
            digits={3}
            caption={<Tex>{'s\\,V'}</Tex>}
            value={[detail.headOutputs.standard]}
          />
        </PathSection>
        <PathSection
          label="Slim, V-first order"
          title="Slim, V-first order"
          blurb="Rebuild all n value rows, then weight them."
          opsTestId="ops-option1"
          ops={ops.option1}
          opsFormula="2·n·d·d_k + 2·n·d_k"
        >
          <MatrixView
            label="V-first V = K W_KV"
            caption={<Tex>{'V = K\\,W_{KV}'}</Tex>}
            value={detail.option1V}
          />
          <MatrixView
            label="V-first head output"
            digits={3}
            caption={<Tex>{'s\\,(K W_{KV})'}</Tex>}
            value={[detail.headOutputs.option1]}
          />
        </PathSection>
        <PathSection
          label="Slim, K-first order"
          title="Slim, K-first order"
          blurb="Weight the keys, then project once."
          opsTestId="ops-option2"
          ops={ops.option2}
          opsFormula="2·n·d + 2·d·d_k"
        >
          <MatrixView
            label="K-first u = s K"
            digits={3}
            caption={<Tex>{'u = s\\,K'}</Tex>}
            value={detail.option2U}
          />
          <MatrixView
            label="K-first head output"
            digits={3}
            caption={<Tex>{'u\\,W_{KV}'}</Tex>}
            value={[detail.headOutputs.option2]}
          />
        </PathSection>
      </div>
      <p className="small">
        OP counts per head from the cost model (paper §2) for n = {n}, d = {D}, d_k = {D}. The
        V-first order’s cost grows like n·d·d_k, the K-first order’s like n·d: at a real size (n ={' '}
        {formatCount(BIG.n)}, d = {formatCount(BIG.d)}, d_k = {BIG.d / BIG.h}) the V-first order
        does {Math.round(bigOps.option1 / bigOps.option2)}× more work per head than the K-first.
      </p>
    </>
  );
}

/** One way to the head output: what it reads, the products it shows, its OP count. */
function PathSection({
  label,
  title,
  blurb,
  opsTestId,
  ops,
  opsFormula,
  children,
}: {
  label: string;
  title: string;
  blurb: string;
  opsTestId: string;
  ops: number;
  opsFormula: string;
  children: ReactNode;
}) {
  return (
    <section className="path" aria-label={label}>
      <h3>{title}</h3>
      <p className="small">{blurb}</p>
      {children}
      <p className="ops">
        <span data-testid={opsTestId}>{formatCount(ops)}</span> OPs ({opsFormula})
      </p>
    </section>
  );
}
