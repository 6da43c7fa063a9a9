/**
 * `ingestlab/policy`: everything a user-written scaling policy imports, from one place that does not move when the
 * simulator's files do. zod comes with it, so a policy needs no package of its own (docs/policies.md):
 *
 *   import { z, definePolicy } from 'ingestlab/policy';
 */
export { z } from 'zod';
export type {
  ActionOutcome,
  Datapoint,
  MetricName,
  PolicyAction,
  PolicyDecision,
  PolicyView,
  ScaledService,
  ScalingPolicy,
} from './sim/policies/policy.ts';
import type { ScalingPolicy } from './sim/policies/policy.ts';

/** Returns the policy unchanged; it only lets TypeScript infer and check Config and State in one place. */
export function definePolicy<Config, State>(policy: ScalingPolicy<Config, State>): ScalingPolicy<Config, State> {
  return policy;
}
