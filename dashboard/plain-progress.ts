/**
 * The dashboard without a terminal (CI, pipes): a plain line per tenth of the run, in the style of the scenario
 * command's progress, plus a line for each scaling action as it happens, so a log shows the story of the run.
 */
import type { ScalingAction } from '../sim/autoscaler.ts';
import type { Progress } from '../sim/simulation.ts';
import { int, seconds } from '../reports/format.ts';

export interface PlainProgress {
  update(p: Progress): void;
}

export function plainProgress(write: (line: string) => void): PlainProgress {
  let lastDecile = -1;
  let actionsSeen = 0;
  return {
    update(p) {
      for (; actionsSeen < p.actions.length; actionsSeen++) write(actionLine(p.actions[actionsSeen]!));
      const fraction = Math.min(1, p.now / p.durationSeconds);
      const decile = p.draining ? 10 : Math.floor(fraction * 10);
      if (decile === lastDecile) return;
      lastDecile = decile;
      write(
        `${p.draining ? 'draining' : `${(fraction * 100).toFixed(0).padStart(3)}%`} ${seconds(Math.min(p.now, p.durationSeconds))}/${seconds(p.durationSeconds)}` +
          ` · ${p.shards} shards · ${int(p.offered)} offered · ${int(p.accepted)} accepted · ${int(p.throttled)} throttled`,
      );
    },
  };
}

export function actionLine(a: ScalingAction): string {
  return `  scaling at ${seconds(a.atSeconds)}: ${a.service} ${a.resource} ${int(a.from)} → ${int(a.to)}${a.refusal ? ` REFUSED (${a.refusal})` : ''} — ${a.reason}`;
}
