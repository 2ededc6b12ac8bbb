/**
 * Where the bench's Vite server serves onnxruntime-web's runtime files (the .wasm binaries and
 * their .mjs loaders from node_modules/onnxruntime-web/dist), and where the page points
 * `ort.env.wasm.wasmPaths`. bench/run.ts serves this prefix; nothing else in the app does.
 */
export const ORT_ASSETS_URL = '/ort-wasm/';
