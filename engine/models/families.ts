/**
 * The decoder families this engine runs, one row each: what the Hub panel, the CLI help and the
 * loader say about them. (The loader's per-family config mapping, layouts and model classes join
 * these rows as the family table grows.)
 */
import type { ModelFamily } from './load';

export interface FamilyRow {
  id: ModelFamily;
  /** The family's name as users know it. */
  label: string;
  /** config.json `architectures` values of this family (the first is the usual one). */
  architectures: readonly string[];
  /** One public Hub repo id of this family, as an example to try. */
  exampleRepo: string;
}

export const FAMILIES: readonly FamilyRow[] = [
  {
    id: 'gpt2',
    label: 'GPT-2',
    architectures: ['GPT2LMHeadModel', 'GPT2Model'],
    exampleRepo: 'openai-community/gpt2',
  },
  {
    id: 'llama',
    label: 'Llama (MHA)',
    architectures: ['LlamaForCausalLM', 'LlamaModel'],
    exampleRepo: 'JackFram/llama-68m',
  },
  {
    id: 'gpt-neox',
    label: 'GPT-NeoX (Pythia)',
    architectures: ['GPTNeoXForCausalLM', 'GPTNeoXModel'],
    exampleRepo: 'EleutherAI/pythia-70m',
  },
];
