/** Median and 90th percentile of a list of times (the browser latency tests and the benches). */
export function summarize(times: readonly number[]): { median: number; p90: number } {
  const sorted = [...times].sort((a, b) => a - b);
  return {
    median: sorted[Math.floor(sorted.length / 2)],
    p90: sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.9))],
  };
}
