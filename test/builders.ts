/** Test builders: scenarios from plain objects, with the schema's defaults filled in exactly as for YAML files. */
import { scenarioSchema, type Scenario } from '../scenarios/schema.ts';
import { simulate, type SimulateOptions } from '../sim/simulation.ts';

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> | T[K] : T[K] };

/** A scenario from the given keys; `tenants` and `duration` are required as in a file. */
export function scenario(input: Record<string, unknown>): Scenario {
  return scenarioSchema.parse({ name: 'test', ...input });
}

/** One group of `count` tenants at `rate` events/s each, with exact (noise-free) arrivals unless told otherwise. */
export function tenants(count: number, rate: number, extra: Record<string, unknown> = {}) {
  return [{ name: 't', count, rate, noise: 'none', ...extra }];
}

export function run(input: Record<string, unknown>, options: SimulateOptions = {}) {
  return simulate(scenario(input), options);
}

export type { DeepPartial };
