/** The load generator's report as text (the printer returns a string; the CLI prints it). */
import { formatDuration } from '../sim/duration.ts';
import type { LoadReport } from './driver.ts';
import type { LatencySummary } from '../sim/latency.ts';
import { int } from '../reports/format.ts';

const ms = (l: LatencySummary) => `p50 ${l.p50} ms · p95 ${l.p95} · p99 ${l.p99} · max ${l.max}`;

export function loadReportText(r: LoadReport & { scenario?: string }): string {
  const w = r.weight;
  const scaled = r.timeScale !== 1 || r.sample !== 1;
  const answers = Object.entries(r.statuses)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([status, n]) => `${status} ${int(n)}`)
    .join(' · ');
  const lines = [
    `${r.scenario ? `${r.scenario} → ` : ''}${r.url}`,
    `schedule   ${int(r.scheduled.requests)} requests, ${int(r.scheduled.events)} events over ${formatDuration(r.wallDuration)} wall` +
      (scaled ? ` (time scale ${r.timeScale}, sample ${+r.sample.toFixed(6)}: each event stands for ${+w.toFixed(6)})` : ''),
    `sent       ${int(r.sent.requests)} requests + ${int(r.sent.retries)} retries on ${int(r.connections)} connections` +
      ` · achieved ${r.achievedRate.toFixed(1)} req/s of ${r.targetRate.toFixed(1)} (ratio ${r.rateRatio.toFixed(4)})`,
    `answers    ${answers || 'none'}${r.connectionErrors ? ` · connection errors ${int(r.connectionErrors)}` : ''}${r.timeouts ? ` · timeouts ${int(r.timeouts)}` : ''}`,
    `events     accepted ${int(r.events.accepted)} · rejected (429) ${int(r.events.rejected)} · dropped (503) ${int(r.events.dropped)}` +
      (r.events.putUnacknowledged ? ` · put but unacknowledged (503) ${int(r.events.putUnacknowledged)}` : '') +
      ` · failed ${int(r.events.failed)} · no answer ${int(r.events.errors)}${r.events.unsent ? ` · unsent ${int(r.events.unsent)}` : ''}` +
      (w !== 1 ? `   (events sent; × ${+w.toFixed(6)} for scenario units)` : ''),
    `latency    ${ms(r.latencyMs)}   (every attempt, from its intended send time)`,
    `ingest     ${ms(r.ingestLatencyMs)}   (accepted events, first intended send → 2xx, retries included)`,
    `send lag   ${ms(r.sendLagMs)}   (actual − intended send time)`,
  ];
  if (r.connectionWaits > 0) {
    lines.push(`${int(r.connectionWaits)} requests fell due while all ${int(r.connections)} connections were busy and waited (see send lag): raise --connections to keep the model open`);
  }
  if (r.aborted) lines.push('stopped early: the figures cover what was sent before the stop');
  if (scaled) lines.push('latencies are wall-clock milliseconds as measured; counts above are sent events unless marked');
  return lines.join('\n');
}
