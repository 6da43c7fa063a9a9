export async function benchCommand(_options: { quick?: boolean }): Promise<number> {
  const { runBench } = await import('../bench/bench.ts');
  return runBench(_options);
}
