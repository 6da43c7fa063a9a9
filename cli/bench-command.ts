/** `ingestlab bench`: start-up figures of the CLI itself, then the simulator's speed (bench/bench.ts). */
export async function benchCommand(options: { quick?: boolean }): Promise<number> {
  const { startupBench } = await import('./startup-bench.ts');
  startupBench(options);
  console.log('');
  const { runBench } = await import('../bench/bench.ts');
  return runBench(options);
}
