/**
 * The scenario's `faults:` section: AWS misbehaving on purpose, so a run can prove the pipeline loses nothing. The quota
 * gateway injects them (pipeline/gateway/fault-injection.ts); the simulator does not read them. Each rule names a
 * service (and optionally one operation), an error, and when: a share of calls (`rate`), a window of scenario time
 * (`from`/`to`), or both.
 */
import { z } from 'zod';
import { duration } from './duration.ts';

export const faultRuleSchema = z
  .strictObject({
    /** A service as its SigV4 scope names it, or `*` for every one. */
    service: z.enum(['kinesis', 'dynamodb', 'firehose', 's3', 'monitoring', '*']),
    /** One operation (`PutRecords`, `BatchWriteItem`, ...); every operation when absent. */
    operation: z.string().min(1).optional(),
    /** `5xx`: the service's internal error; `throttle`: its throttling error; `slow`: the call succeeds `latency` later. */
    error: z.enum(['5xx', 'throttle', 'slow']),
    /** Added wall-clock latency of a `slow` fault. */
    latency: duration().optional(),
    /** Share of matching calls that fail, 0–1; 1 when absent. */
    rate: z.number().min(0).max(1).default(1),
    /** Scenario time the rule starts and stops applying; always when absent. */
    from: duration().optional(),
    to: duration().optional(),
  })
  .refine((r) => r.error !== 'slow' || r.latency !== undefined, { message: 'a `slow` fault needs `latency`, e.g. 500ms', path: ['latency'] })
  .refine((r) => r.from === undefined || r.to === undefined || r.from < r.to, { message: 'expected `from` before `to`', path: ['to'] });

export const faultsConfigSchema = z.array(faultRuleSchema).default([]);
export type FaultRule = z.output<typeof faultRuleSchema>;

/** The first rule that fires for this call at scenario time `now`, drawing one uniform number per matching rule. */
export function pickFault(rules: readonly FaultRule[], service: string, operation: string, now: number, uniform: () => number): FaultRule | undefined {
  for (const rule of rules) {
    if (rule.service !== '*' && rule.service !== service) continue;
    if (rule.operation !== undefined && rule.operation !== operation) continue;
    if (rule.from !== undefined && now < rule.from) continue;
    if (rule.to !== undefined && now >= rule.to) continue;
    if (rule.rate >= 1 || uniform() < rule.rate) return rule;
  }
  return undefined;
}
