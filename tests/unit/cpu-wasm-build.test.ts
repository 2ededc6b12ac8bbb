/**
 * The committed WebAssembly kernels (engine/cpu/wasm/kernelsWasm.ts) are built from their source
 * (engine/cpu/wasm/assembly/kernels.ts) by the npm-installed AssemblyScript compiler: the test
 * compiles the source again, as `npm run build:wasm` does, and compares the bytes.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { kernelBytes } from '../../engine/cpu/wasm/wasmKernels';
import { ascVersion, compileKernels, KERNELS_MODULE, renderModule } from '../../scripts/build-wasm';

describe('WebAssembly kernels', () => {
  it(
    'the committed module is what the source compiles to (npm run build:wasm)',
    async () => {
      const built = await compileKernels();
      expect(Buffer.from(built).equals(Buffer.from(kernelBytes()))).toBe(true);
      // The whole generated file, header included (compiler version and flags).
      expect(readFileSync(KERNELS_MODULE, 'utf8')).toBe(renderModule(built, ascVersion()));
      // The module exports what engine/cpu/wasm/wasmKernels.ts calls.
      const exports = WebAssembly.Module.exports(new WebAssembly.Module(kernelBytes()));
      expect(exports.map((e) => e.name).sort()).toEqual(
        ['attnProbs', 'gemm', 'gemmT', 'headBlock', 'heapBase', 'memory'].sort(),
      );
    },
    // Loading the compiler (binaryen) and compiling take seconds, minutes on a loaded machine.
    300_000,
  );
});
