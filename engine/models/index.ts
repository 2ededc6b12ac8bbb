export {
  GPT2_SMALL,
  Gpt2Model,
  gpt2ParameterShapes,
  randomGpt2Weights,
  seededRandom,
  type Gpt2CacheBytes,
  type Gpt2Config,
  type Gpt2Scheme,
  type Gpt2Options,
  type Gpt2Weights,
  type HostTensor,
} from './gpt2';
