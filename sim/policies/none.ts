/**
 * `none`: the policy that never acts, for fixed-capacity baselines. Declared for Kinesis because the contract wants one
 * service, but it reads nothing service-specific; the registry maps the scenario value `none` to "no autoscaler" for
 * either service anyway, so this module mostly serves tests and explicit `policy: none` sections.
 */
import { z } from 'zod';
import type { PolicyDecision, PolicyView, ScalingPolicy } from './policy.ts';

export const noneConfigSchema = z.strictObject({ policy: z.string().optional() });
export type NoneConfig = z.output<typeof noneConfigSchema>;
export type NoneState = Record<string, never>;

/** A policy that never acts; checked hourly since the answer never changes. */
export const nonePolicy = {
  name: 'none',
  service: 'kinesis',
  configSchema: noneConfigSchema,
  checkIntervalSeconds: () => 3600,
  initialState: (): NoneState => ({}),
  decide: (view: PolicyView<NoneConfig, NoneState>): PolicyDecision<NoneState> => ({
    action: { kind: 'none' },
    state: view.state,
  }),
} satisfies ScalingPolicy<NoneConfig, NoneState>;
