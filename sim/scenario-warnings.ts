/**
 * Things in a scenario that are legal but do nothing, said out loud. A burst that starts at or after the end of the
 * run never fires; a tenant group that starts after it never sends. They are warnings, not errors: shortening a
 * scenario with `--duration` to study its first part is legitimate and leaves later bursts behind.
 */
import { formatDuration } from './duration.ts';
import type { SimulationConfig } from './simulation-config.ts';

export function scenarioWarnings(s: Pick<SimulationConfig, 'duration' | 'tenants'>): string[] {
  const end = formatDuration(s.duration);
  const warnings: string[] = [];
  s.tenants.forEach((g, i) => {
    if (g.startAt >= s.duration) {
      warnings.push(`tenants[${i}] (${g.name}) starts at ${formatDuration(g.startAt)}, at or after the end of the run (${end}): it sends nothing`);
    }
    g.bursts.forEach((b, j) => {
      if (b.at >= s.duration) {
        warnings.push(`tenants[${i}].bursts[${j}] (${g.name}) starts at ${formatDuration(b.at)}, at or after the end of the run (${end}): it never fires`);
      }
    });
  });
  return warnings;
}
