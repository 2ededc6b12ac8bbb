import type { Model } from '../../roofline';

/** How a catalog model encodes positions, in words (whether the X-cache can serve it). */
export function positions(m: Model): string {
  switch (m.positional) {
    case 'rope':
      return 'RoPE';
    case 'relative':
      return 'relative position biases';
    case 'alibi':
      return 'ALiBi';
    default:
      return 'added to the inputs';
  }
}
