/**
 * The explorer's view-model: the cost model (roofline/) sampled over context length and batch,
 * one module per view. Views import from here.
 */
export * from './setup';
export * from './memory';
export * from './intensity';
export * from './roofline';
export * from './speedup';
