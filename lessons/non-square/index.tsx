import { useMemo } from 'react';
import { Tex } from '../../components/Tex';
import { models, paperTable4, requireModel } from '../../roofline';
import { NonSquareToy } from './NonSquareToy';
import { Option1RightInverse } from './Option1RightInverse';
import { Option2XCache } from './Option2XCache';
import { Table4 } from './Table4';
import { XCacheCost } from './XCacheCost';

const PAPER = 'https://arxiv.org/abs/2503.05840';
/** The model the checkpoint and the cost table are about (paper §3's 32x). */
const FOCUS_ID = 't5-11b';

export function NonSquareLesson() {
  const table4 = useMemo(() => paperTable4(models), []);
  const focus = requireModel(FOCUS_ID);
  return (
    <>
      <p>
        So far every projection was square: a token’s input row <Tex>{'x'}</Tex> has{' '}
        <Tex>{'d'}</Tex> numbers (the model width), and <Tex>{'W_Q'}</Tex>, <Tex>{'W_K'}</Tex>,{' '}
        <Tex>{'W_V'}</Tex> turned it into a query, key and value of the same width. Each of the{' '}
        <Tex>{'h'}</Tex> heads takes its own <Tex>{'d_k'}</Tex> columns of them (the head width),
        and together the heads are <Tex>{'e = h \\cdot d_k'}</Tex> wide. Most models choose{' '}
        <Tex>{'e = d'}</Tex>. Some make the heads wider than the model: <Tex>{'e > d'}</Tex>, and
        then <Tex>{'W_K'}</Tex> is a wide <Tex>{'d \\times e'}</Tex> matrix with no inverse.{' '}
        <a href={PAPER}>The paper’s §3</a> names the ratio <Tex>{'r = e/d'}</Tex> and gives two ways
        to keep slim attention.
      </p>
      <div className="equation-row">
        <Tex block>{'e = h\\,d_k,\\qquad r = \\frac{e}{d},'}</Tex>
        <Tex block>{'W_Q,\\ W_K,\\ W_V:\\ d \\times e'}</Tex>
      </div>

      <Table4 table4={table4} />
      <Option1RightInverse table4={table4} focus={focus} />
      <Option2XCache table4={table4} focus={focus} />
      <XCacheCost model={focus} />

      <NonSquareToy />
    </>
  );
}
