/**
 * Turns a KernelSpec into a compiled WebGL2 program (cached by kernel, defines and input
 * layouts) and runs it: one full-screen triangle into the output texture's pixel rows.
 */
import type { KernelSpec, UniformType } from './kernels';
import type { FoldKind, TextureLayout } from './layout';

const VERTEX_SHADER = `#version 300 es
// A triangle that covers the viewport; no vertex buffers needed.
void main() {
  vec2 p = vec2(float((gl_VertexID << 1) & 2), float(gl_VertexID & 2));
  gl_Position = vec4(p * 2.0 - 1.0, 0.0, 1.0);
}`;

/** How an input is fetched: its fold, and whether it is a column view (layout.colOffset). */
export interface InputKind {
  fold: FoldKind;
  view: boolean;
}

/**
 * Pixel of texel (row, t) for each layout (layout.ts); X_f = (shift, mask, lines). A column
 * view (X_v = (colOffset, rowStride)) shifts t and steps rows by its storage's row stride.
 */
function pixelOf(name: string, { fold, view }: InputKind): string {
  const t = view ? `(t + ${name}_v.x)` : 't';
  const stride = view ? `${name}_v.y` : `${name}_l.x`;
  switch (fold) {
    case 'none':
      return `ivec2(${t}, row)`;
    case 'rows':
      return `ivec2((row & ${name}_f.y) * ${stride} + ${t}, row >> ${name}_f.x)`;
    case 'wide':
      return `ivec2(${t} & ${name}_f.y, row * ${name}_f.z + (${t} >> ${name}_f.x))`;
    case 'linear':
      return `ivec2((row * ${stride} + ${t}) % ${name}_l.y, (row * ${stride} + ${t}) / ${name}_l.y)`;
  }
}

function fetchHelpers(name: string, kind: InputKind): string {
  return `uniform highp sampler2D ${name};
uniform ivec4 ${name}_l; // texW, width, cols, rows
uniform ivec3 ${name}_f; // fold: shift, mask, lines
${
  kind.view
    ? `uniform ivec2 ${name}_v; // column view: first texel, storage texels per row
`
    : ''
}vec4 ${name}_tex(int row, int t) { return texelFetch(${name}, ${pixelOf(name, kind)}, 0); }
float ${name}_val(int row, int c) { vec4 v = ${name}_tex(row, c >> 2); return v[c & 3]; }
`;
}

/** The input kind of a layout. */
export function inputKind(l: TextureLayout): InputKind {
  return { fold: l.fold, view: l.colOffset !== undefined };
}

/** Logical (row, t) of the output texel at pixel p (one division per fragment when folded). */
function outputPosition(fold: FoldKind): string {
  switch (fold) {
    case 'none':
      return `int row = p.y; int t = p.x;`;
    case 'rows':
      return `int q = p.x / u_out.x; int row = (p.y << u_outF.x) + q; int t = p.x - q * u_out.x;`;
    case 'wide':
      return `int row = p.y / u_outF.z; int t = ((p.y - row * u_outF.z) << u_outF.x) + p.x;`;
    case 'linear':
      return `int idx = p.y * u_out.y + p.x; int row = idx / u_out.x; int t = idx - row * u_out.x;`;
  }
}

/** Uniform values of a layout's fold: shift, mask, lines (layout.ts). */
export function foldUniform(l: TextureLayout): [number, number, number] {
  const mask = l.fold === 'rows' || l.fold === 'wide' ? 2 ** l.shift - 1 : 0;
  return [l.shift, mask, l.lines];
}

const range = (n: number, f: (i: number) => string): string =>
  Array.from({ length: n }, (_, i) => f(i)).join('\n');

/** The full fragment shader of a kernel for the given input/output layouts. */
export function fragmentSource(
  spec: KernelSpec,
  defines: Readonly<Record<string, number>>,
  inputKinds: readonly InputKind[],
  outFold: FoldKind,
): string {
  const defs = Object.entries({ ...spec.defines, ...defines })
    .map(([k, v]) => `#define ${k} ${v}`)
    .join('\n');
  const uniforms = Object.entries(spec.uniforms)
    .map(([k, ty]) => `uniform ${ty} u_${k};`)
    .join('\n');
  const helpers = spec.inputs.map((n, i) => fetchHelpers(n, inputKinds[i])).join('');
  const targets = spec.outputs ?? 1;
  const blocks = targets > 1;
  const position = outputPosition(outFold);
  return `#version 300 es
precision highp float;
precision highp int;
${defs}
${blocks ? range(targets, (i) => `layout(location = ${i}) out vec4 outColor${i};`) : 'out vec4 outColor;'}
uniform ivec4 u_out;   // texW, width, cols, rows of the output
uniform ivec3 u_outF;  // its fold: shift, mask, lines
uniform ivec2 u_rows;  // logical output rows written by this draw: [first, end)
${uniforms}
${helpers}
${spec.prelude ?? ''}
${spec.body}
void main() {
  ivec2 p = ivec2(gl_FragCoord.xy);
  ${position}
  if (row < u_rows.x || row >= u_rows.y || t >= u_out.x) discard;
  // Lanes past the last column stay exactly 0: reductions sum whole texels.
  vec4 lanes = vec4(lessThan(ivec4(t * 4) + ivec4(0, 1, 2, 3), ivec4(u_out.z)));
${
  blocks
    ? `  // Row i of the block goes to render target i: rows 0–3 are the columns of lo, 4–7 of hi.
  mat4 lo, hi;
  computeBlock(row, t, lo, hi);
${range(targets, (i) => `  outColor${i} = ${i < 4 ? 'lo' : 'hi'}[${i % 4}] * lanes;`)}`
    : `  outColor = compute(row, t) * lanes;`
}
}`;
}

export interface CompiledProgram {
  program: WebGLProgram;
  locations: Map<string, WebGLUniformLocation | null>;
  source: string;
}

export class ShaderCompileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShaderCompileError';
  }
}

export class ProgramCache {
  private readonly programs = new Map<string, CompiledProgram>();
  private vertex: WebGLShader | null = null;
  compiled = 0;

  constructor(private readonly gl: WebGL2RenderingContext) {}

  get(
    spec: KernelSpec,
    defines: Readonly<Record<string, number>>,
    layouts: readonly TextureLayout[],
    out: TextureLayout,
  ): CompiledProgram {
    const kinds = layouts.map(inputKind);
    const inputs = kinds.map((k) => `${k.fold}${k.view ? '+view' : ''}`).join(',');
    const key = `${spec.name}|${JSON.stringify(defines)}|${inputs}|${out.fold}`;
    let p = this.programs.get(key);
    if (!p) {
      p = this.compile(fragmentSource(spec, defines, kinds, out.fold), spec);
      this.programs.set(key, p);
    }
    return p;
  }

  private shader(type: number, source: string, what: string): WebGLShader {
    const gl = this.gl;
    const s = gl.createShader(type);
    if (!s) throw new ShaderCompileError(`${what}: createShader failed (context lost?)`);
    gl.shaderSource(s, source);
    gl.compileShader(s);
    if (!gl.getShaderParameter(s, gl.COMPILE_STATUS) && !gl.isContextLost()) {
      throw new ShaderCompileError(`${what}: ${gl.getShaderInfoLog(s)}`);
    }
    return s;
  }

  private compile(source: string, spec: KernelSpec): CompiledProgram {
    const gl = this.gl;
    this.vertex ??= this.shader(gl.VERTEX_SHADER, VERTEX_SHADER, 'vertex shader');
    const fs = this.shader(gl.FRAGMENT_SHADER, source, `kernel ${spec.name}`);
    const program = gl.createProgram();
    if (!program) throw new ShaderCompileError(`kernel ${spec.name}: createProgram failed`);
    gl.attachShader(program, this.vertex);
    gl.attachShader(program, fs);
    gl.linkProgram(program);
    if (!gl.getProgramParameter(program, gl.LINK_STATUS) && !gl.isContextLost()) {
      throw new ShaderCompileError(`kernel ${spec.name}: ${gl.getProgramInfoLog(program)}`);
    }
    gl.deleteShader(fs);
    const locations = new Map<string, WebGLUniformLocation | null>();
    const names = ['u_out', 'u_outF', 'u_rows', ...Object.keys(spec.uniforms).map((k) => `u_${k}`)];
    for (const n of spec.inputs) names.push(n, `${n}_l`, `${n}_f`, `${n}_v`);
    for (const n of names) locations.set(n, gl.getUniformLocation(program, n));
    this.compiled++;
    return { program, locations, source };
  }

  dispose(): void {
    for (const p of this.programs.values()) this.gl.deleteProgram(p.program);
    this.programs.clear();
    if (this.vertex) this.gl.deleteShader(this.vertex);
    this.vertex = null;
  }
}

export function setUniform(
  gl: WebGL2RenderingContext,
  loc: WebGLUniformLocation | null,
  type: UniformType,
  value: number,
): void {
  if (!loc) return; // optimised away by the compiler
  if (type === 'int') gl.uniform1i(loc, value);
  else gl.uniform1f(loc, value);
}
