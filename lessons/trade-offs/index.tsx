import { Tex } from '../../components/Tex';
import { Faq } from './Faq';
import { MeasuredInBrowser } from './MeasuredInBrowser';
import { Option1Context } from './Option1Context';
import { Option2Heads } from './Option2Heads';
import { Table2Split } from './Table2Split';
import './trade-offs.css';

const PAPER = 'https://arxiv.org/abs/2503.05840';

export function TradeoffsLesson() {
  return (
    <>
      <p>
        Slim attention never changes an output value; it trades memory for arithmetic. It reads half
        the cache, but it must turn keys into values on the fly, which costs operations (OPs: one
        multiply or one add). Whether that trade pays depends on what a decode step waits for. A
        chip does at most <Tex>{'P'}</Tex> OPs per second (its peak) and reads at most{' '}
        <Tex>{'B'}</Tex> bytes per second (its memory bandwidth), so a piece of work takes (paper
        Table 3):
      </p>
      <Tex block>
        {
          't = \\max\\!\\Big(\\frac{\\text{OPs}}{P},\\ \\frac{\\text{bytes}}{B}\\Big),\\qquad I = \\frac{\\text{OPs}}{\\text{bytes}},\\qquad R = \\frac{P}{B}'
        }
      </Tex>
      <p>
        <Tex>{'I'}</Tex>, the <strong>arithmetic intensity</strong>, is how many OPs the work does
        per byte it reads; <Tex>{'R'}</Tex>, the chip’s <strong>ridge point</strong>, is where the
        two terms are equal. Below the ridge the work is <strong>memory bound</strong>: reading
        fewer bytes makes it faster, and slim attention’s halved cache pays. Above it the work is{' '}
        <strong>compute bound</strong>: extra OPs cost time directly. This lesson names the cases
        where slim attention is slower, and answers the usual questions about it (
        <a href={PAPER}>the paper</a>, §2 and Table 3).
      </p>
      <Table2Split />
      <Option1Context />
      <Option2Heads />
      <MeasuredInBrowser />
      <Faq />
    </>
  );
}
