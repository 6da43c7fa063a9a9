/** Progress of a long simulation on stderr: one self-rewriting line on a terminal, a line per 10% otherwise. */
import type { Progress } from '../sim/simulation.ts';
import { int, seconds } from '../reports/format.ts';

export function progressPrinter(stream: NodeJS.WriteStream) {
  const started = performance.now();
  let lastDraw = 0;
  let lastDecile = -1;
  let drew = false;
  return {
    update(p: Progress) {
      const elapsed = (performance.now() - started) / 1000;
      const fraction = Math.min(1, p.now / p.durationSeconds);
      if (elapsed < 0.5) return;
      const eta = fraction > 0 ? (elapsed / fraction) * (1 - fraction) : 0;
      const line =
        `${p.draining ? 'draining' : `${(fraction * 100).toFixed(0).padStart(3)}%`} ${seconds(Math.min(p.now, p.durationSeconds))}/${seconds(p.durationSeconds)}` +
        ` · ${p.shards} shards · ${int(p.offered)} offered · ${int(p.throttled)} throttled · ETA ${eta.toFixed(0)}s`;
      if (stream.isTTY) {
        if (performance.now() - lastDraw < 100) return;
        lastDraw = performance.now();
        stream.write(`\r\x1b[2K${line}`);
        drew = true;
      } else {
        const decile = Math.floor(fraction * 10);
        if (decile === lastDecile) return;
        lastDecile = decile;
        stream.write(`${line}\n`);
      }
    },
    done() {
      if (drew) stream.write('\r\x1b[2K');
    },
  };
}
