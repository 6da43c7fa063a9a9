/**
 * The load generator's progress bar, on stderr: current and target request rates, sent, answers, in flight. On a
 * terminal one line rewrites itself; otherwise (CI, pipes) a line is printed every 10% of the run.
 */
import { int } from '../reports/format.ts';
import type { LoadProgress } from './driver.ts';

/** One progress line, e.g. `[#####·····]  52%  5.2/10.0 s · 1,998 req/s (target 2,000) · sent 10,400 · …`. */
export function progressLine(p: LoadProgress, width = 20): string {
  const fraction = p.wallDuration > 0 ? Math.min(1, p.elapsed / p.wallDuration) : 1;
  const filled = Math.round(fraction * width);
  const bar = `[${'#'.repeat(filled)}${'·'.repeat(width - filled)}]`;
  const phase = p.elapsed > p.wallDuration ? 'draining' : `${(fraction * 100).toFixed(0).padStart(3)}%`;
  return (
    `${bar} ${phase} ${Math.min(p.elapsed, p.wallDuration).toFixed(1)}/${p.wallDuration.toFixed(1)} s` +
    ` · ${int(p.rate)} req/s (target ${int(p.targetRate)})` +
    ` · sent ${int(p.sent)}/${int(p.scheduled)} · 2xx ${int(p.accepted)} ev · 429 ${int(p.throttled)} · failed ${int(p.failed)} ev · in flight ${int(p.inFlight)}`
  );
}

export function progressBar(stream: NodeJS.WriteStream) {
  let lastDecile = -1;
  let drew = false;
  return {
    update(p: LoadProgress) {
      const line = progressLine(p);
      if (stream.isTTY) {
        stream.write(`\r\x1b[2K${line.slice(0, Math.max(20, (stream.columns ?? 160) - 1))}`);
        drew = true;
        return;
      }
      const decile = Math.floor(Math.min(1, p.elapsed / Math.max(p.wallDuration, 1e-9)) * 10);
      if (decile === lastDecile) return;
      lastDecile = decile;
      stream.write(`${line}\n`);
    },
    done() {
      if (drew) stream.write('\r\x1b[2K');
    },
  };
}
