/**
 * The plan part of `npm run bench` (issue #14): a plan over a 200-point space of burst-spike (8 initial shard counts ×
 * 5 scale-up thresholds × 5 scale-up delays), on the worker threads plan uses, next to running the same 200 variants
 * one by one in one thread (load, simulate, evaluate: what `compare` does per variant). Goal: the plan in under 60 s
 * on a 2-core machine. Prints the speed-up of the default plan (successive halving) and of the full grid.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { planScenario, type PlanOptions } from '../cli/plan-command.ts';
import { expandSpace, parseVary } from '../plan/space.ts';
import { loadScenario, resolveScenarioPath } from '../scenarios/load.ts';
import { evaluateExpectations } from '../sim/expectations.ts';
import { simulate } from '../sim/simulation.ts';

export const PLAN_BENCH_VARY = [
  'kinesis.shards=4..18:2',
  'kinesis.autoscaler.scaleUp.scaleThresholdPct=40..80:10',
  'kinesis.autoscaler.scaleUp.scaleAfterMins=1..5:1',
];
const QUICK_VARY = ['kinesis.shards=4..18:2'];
const GOAL_SECONDS = 60;

export async function runPlanBench(options: { quick?: boolean }): Promise<void> {
  const vary = options.quick ? QUICK_VARY : PLAN_BENCH_VARY;
  const points = expandSpace(vary.map(parseVary));
  const threads = availableParallelism();
  const out = mkdtempSync(join(tmpdir(), 'ingestlab-bench-plan-'));
  console.log('');
  console.log(`plan over ${points.length} configurations of burst-spike (${vary.join(' ')}), ${threads} thread${threads === 1 ? '' : 's'}`);
  console.log('how                                          runs   wall      speed-up   CPU (all threads)   goal');
  try {
    // CPU time of every thread of this process: what the work costs whatever else the machine is doing.
    const cpuSince = (c0: NodeJS.CpuUsage) => {
      const c = process.cpuUsage(c0);
      return (c.user + c.system) / 1e6;
    };
    const timed = async (label: string, opts: Partial<PlanOptions>) => {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      const { outcome } = await planScenario('burst-spike', { vary, set: [], out: join(out, label.replace(/\W+/g, '-')), ...opts });
      return { wall: (performance.now() - t0) / 1000, cpu: cpuSince(c0), runs: outcome.rounds.reduce((a, r) => a + r.runs, 0), outcome };
    };
    const plan = await timed('plan', {});
    const grid = await timed('grid', { budget: points.length });
    // The same variants one by one, in this thread, at full resolution.
    const path = resolveScenarioPath('burst-spike');
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    for (const p of points) {
      const { scenario, resolvePolicy } = await loadScenario(path, p.overrides);
      const { summary, timeline } = simulate(scenario, { resolvePolicy });
      evaluateExpectations(scenario.expect, summary, timeline);
    }
    const oneByOne = (performance.now() - t0) / 1000;
    const oneByOneCpu = cpuSince(c0);
    const row = (how: string, runs: number, wall: number, cpu: number, goal: boolean) =>
      console.log(
        `${how.padEnd(44)} ${String(runs).padStart(5)} ${wall.toFixed(1).padStart(6)} s ${`${(oneByOne / wall).toFixed(1)}×`.padStart(9)}   ${`${cpu.toFixed(1)} s`.padStart(17)}   ${goal ? `${wall <= GOAL_SECONDS ? 'met' : 'MISSED'} (< ${GOAL_SECONDS} s)` : ''}`,
      );
    row(`plan (${plan.outcome.schedule.method}${plan.outcome.schedule.eta ? `, η = ${plan.outcome.schedule.eta}` : ''})`, plan.runs, plan.wall, plan.cpu, true);
    row(`plan --budget ${points.length} (full grid)`, grid.runs, grid.wall, grid.cpu, true);
    row('the same variants one by one, one thread', points.length, oneByOne, oneByOneCpu, false);
    console.log(`${''.padEnd(44)} load average ${loadavg()[0]!.toFixed(1)} on ${threads} cores: wall-clock speed-ups need idle cores`);
    const same = plan.outcome.winner?.id === grid.outcome.winner?.id;
    console.log(`${''.padEnd(44)} winner: ${plan.outcome.winner ? Object.entries(plan.outcome.points[plan.outcome.winner.id]!.overrides).map(([k, v]) => `${k.split('.').at(-1)}=${v}`).join(' ') : 'none'}${same ? ' (the grid\'s too)' : ' (the grid found another)'}`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
