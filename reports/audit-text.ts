/** The audit in words, for the terminal summary and the run report. */
import type { AuditSide, Summary } from '../sim/summary.ts';
import { int } from './format.ts';

/**
 * The audit in words: whether it balances, then each sink's side (accepted = reached + lost + in flight) and the
 * notes. Shared by the terminal summary and the run report.
 */
export function auditLines(s: Summary): string[] {
  const a = s.audit;
  const lines = [`audit: ${a.balanced ? 'balanced' : 'NOT balanced'}${a.notes.length ? ' — ' + a.notes.join('; ') : ''}`];
  const side = (name: string, reached: string, x: AuditSide | undefined) =>
    x ? `${name}: accepted ${int(s.events.accepted)} = ${reached} ${int(x.reached)} + lost ${int(x.lost)} + in flight ${int(x.inFlight)}${Math.abs(x.difference) >= 1 ? `, off by ${int(x.difference)}` : ''}` : undefined;
  for (const line of [side('DynamoDB', 'stored', a.stored), side('S3', 'delivered', a.delivered)]) if (line) lines.push(`  ${line}`);
  return lines;
}
