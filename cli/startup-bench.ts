/**
 * Start-up figures for `npm run bench`: the wall time of the real `ingestlab` process for `--help`, `list` and a
 * 5-minute scenario, next to `node -e 0` measured in the same run (the floor no CLI can go below on this machine).
 * Goals (issue 9): --help and list under 0.3 s, a 5-minute scenario under 1 s. Medians of a few runs each.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('./bin.mjs', import.meta.url));

interface StartupCase {
  name: string;
  args: string[];
  goalSeconds?: number;
}

export function startupBench(options: { quick?: boolean }, print: (line: string) => void = console.log): void {
  const out = mkdtempSync(join(tmpdir(), 'ingestlab-bench-'));
  const cases: StartupCase[] = [
    { name: 'node -e 0', args: ['-e', '0'] },
    { name: 'ingestlab --help', args: [BIN, '--help'], goalSeconds: 0.3 },
    { name: 'ingestlab list', args: [BIN, 'list'], goalSeconds: 0.3 },
    { name: 'scenario burst-spike 5m', args: [BIN, 'scenario', 'burst-spike', '--duration', '5m', '-q', '--out', join(out, 'run')], goalSeconds: 1 },
  ];
  const runs = options.quick ? 3 : 7;
  try {
    // One untimed start, so a stale bundle is rebuilt before anything is measured.
    spawnSync(process.execPath, [BIN, '--help'], { stdio: 'ignore' });
    print(`start-up (median of ${runs} runs, wall time)`);
    print('command                      median     min   goal');
    for (const c of cases) {
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        const r = spawnSync(process.execPath, c.args, { stdio: 'ignore' });
        times.push((performance.now() - t0) / 1000);
        if (r.status !== 0) throw new Error(`${c.name} exited ${r.status}`);
      }
      times.sort((a, b) => a - b);
      const median = times[Math.floor(times.length / 2)]!;
      print(`${c.name.padEnd(26)} ${median.toFixed(3).padStart(7)} s ${times[0]!.toFixed(3).padStart(6)} s ${c.goalSeconds === undefined ? '     –' : `${c.goalSeconds.toFixed(1).padStart(4)} s`}`);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
