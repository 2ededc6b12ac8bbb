import { Tex } from '../../components/Tex';
import { CatalogSection } from './Catalog';
import { GemmaSection } from './Gemma';
import { MlaSection } from './Mla';
import { ToySection } from './ToyShapes';
import './gqa.css';

const PAPER = 'https://arxiv.org/abs/2503.05840';

export function GqaLesson() {
  return (
    <>
      <p>
        Slim attention rebuilds V from K because, in multi-head attention (MHA),{' '}
        <Tex>{'K = X\\,W_K'}</Tex> with a square, invertible <Tex>{'W_K'}</Tex>. Most recent
        decoders do not use MHA: they use <strong>grouped-query attention</strong> (GQA) or{' '}
        <strong>multi-query attention</strong> (MQA), which already shrink the cache in another way.
        This lesson asks when slim attention still helps them (
        <a href={PAPER}>the paper’s Appendix G</a>), and how it relates to DeepSeek’s multi-head
        latent attention (MLA).
      </p>
      <h2>Fewer key/value heads</h2>
      <p>
        A model of width <Tex>{'d'}</Tex> (the length of each token’s vector <Tex>{'x'}</Tex>) has{' '}
        <Tex>{'h'}</Tex> query heads of width <Tex>{'d_k'}</Tex>. In MHA every query head has its
        own key head and value head. In GQA, <Tex>{'h_{kv}'}</Tex> key/value heads are shared: each
        serves a group of <Tex>{'g = h / h_{kv}'}</Tex> query heads. MQA is the extreme,{' '}
        <Tex>{'h_{kv} = 1'}</Tex>; MHA is the other end, <Tex>{'h_{kv} = h'}</Tex>. The cache keeps
        only the shared heads, so each token adds
      </p>
      <Tex block>{'d_{cache} = h_{kv}\\,(d_k + d_v)'}</Tex>
      <p>
        values per layer (<Tex>{'d_v'}</Tex> is the value head width, usually <Tex>{'d_k'}</Tex>).
        Compare it with <Tex>{'d'}</Tex>, the width of the token vector itself: the{' '}
        <strong>compression factor</strong>
      </p>
      <Tex block>{'c = \\frac{d_{cache}}{d}'}</Tex>
      <p>
        says how many times wider the KV-cache row is than the token it came from. For square MHA,{' '}
        <Tex>{'h\\,d_k = d'}</Tex> and <Tex>{'c = 2'}</Tex>: slim attention’s factor 2.
      </p>
      <ToySection />
      <GemmaSection />
      <CatalogSection />
      <MlaSection />
    </>
  );
}
