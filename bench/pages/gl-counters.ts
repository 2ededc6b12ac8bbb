/**
 * Counts WebGL2 calls of every context in the page: shader compiles, program links and draws.
 * Installed by importing this module first (before tfjs or the engine create a context): it
 * wraps the methods on WebGL2RenderingContext.prototype, so every context, whenever created,
 * goes through the wrappers. The bench reads the counters before and after each timed decode
 * step of an engine (engines never run at the same time), so the counts are measured per step,
 * not assumed.
 */

export interface GlCounts {
  /** gl.compileShader calls (a new program compiles its vertex and fragment shaders). */
  compiles: number;
  /** gl.linkProgram calls. */
  links: number;
  /** gl.drawArrays, drawElements and their instanced forms. */
  draws: number;
}

const counts: GlCounts = { compiles: 0, links: 0, draws: 0 };

function wrap<K extends keyof WebGL2RenderingContext>(name: K, counter: keyof GlCounts): void {
  const proto = WebGL2RenderingContext.prototype as unknown as Record<
    string,
    (...args: unknown[]) => unknown
  >;
  const original = proto[name as string];
  if (typeof original !== 'function') return;
  proto[name as string] = function (this: WebGL2RenderingContext, ...args: unknown[]) {
    counts[counter]++;
    return original.apply(this, args);
  };
}

if (typeof WebGL2RenderingContext !== 'undefined') {
  wrap('compileShader', 'compiles');
  wrap('linkProgram', 'links');
  wrap('drawArrays', 'draws');
  wrap('drawElements', 'draws');
  wrap('drawArraysInstanced', 'draws');
  wrap('drawElementsInstanced', 'draws');
  wrap('drawRangeElements', 'draws');
}

/** The counts so far (a copy). */
export function glCounts(): GlCounts {
  return { ...counts };
}

/** b − a, per counter. */
export function glDelta(a: GlCounts, b: GlCounts): GlCounts {
  return { compiles: b.compiles - a.compiles, links: b.links - a.links, draws: b.draws - a.draws };
}
