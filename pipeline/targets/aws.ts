/**
 * The aws target: real AWS through the SDK's default credential chain, no gateway (AWS enforces its own limits). It
 * costs money, so it refuses to start without `--confirm-aws` and a `--max-cost-usd` at least the simulator's
 * estimate for the scenario, computed before anything is created. Every resource name carries the run prefix
 * (`ingestlab-<runid>-`) and is tagged `ingestlab/run=<runid>`; stop() removes what the run created.
 */
import { UsageError } from '../../sim/errors.ts';
import { Simulation, type SimulateOptions } from '../../sim/simulation.ts';
import type { SimulationConfig } from '../../sim/simulation-config.ts';
import { createAwsClients, type AwsClients } from '../aws-clients.ts';
import { cleanupRuns, newRunId, runPrefix, RUN_TAG, tagRunResources, type CleanupReport, type RunResources } from '../cleanup.ts';
import type { RunningTarget } from './target.ts';

export interface AwsTargetOptions {
  /** `--confirm-aws`: the user knows this creates billed resources in their account. */
  confirmAws?: boolean;
  /** `--max-cost-usd N`: refuse when the simulator's estimate for the scenario is above N. */
  maxCostUsd?: number;
  /** The scenario the run will play; its simulated cost is the estimate. */
  scenario: SimulationConfig;
  /** Resolves the scenario's scaling policies, as loadScenario returns it. */
  resolvePolicy?: SimulateOptions['resolvePolicy'];
  region?: string;
  /** A run id to reuse (tests); a fresh one otherwise. */
  runId?: string;
  /**
   * Tests only, never a CLI flag: send every call to this endpoint (the embedded edge) with these credentials instead
   * of AWS, so naming, tagging and clean-up are exercised without an account.
   */
  testEndpoint?: { endpoint: string; credentials: { accessKeyId: string; secretAccessKey: string } };
}

export interface AwsTarget extends RunningTarget {
  name: 'aws';
  runId: string;
  /** `ingestlab-<runid>-`: prefix every resource name with it. */
  prefix: string;
  /** The tag every resource carries. */
  tags: Record<string, string>;
  /** The simulator's cost estimate for the scenario, in USD. */
  estimateUsd: number;
  /**
   * A resource name of this run: the prefix, then `base` without a leading `ingestlab-`/`ingestlab_`
   * (`ingestlab-events` → `ingestlab-<runid>-events`); otherwise unchanged (bucket names must already be lower case).
   */
  resourceName(base: string): string;
  /** Tags what the pipeline created (call it right after creating). */
  tagResources(resources: RunResources): Promise<void>;
  /** What stop() removed. */
  cleanup?: CleanupReport;
}

/** The simulator's total cost for the scenario (all services, the whole run), in USD. */
export function estimateScenarioCostUsd(scenario: SimulationConfig, resolvePolicy?: SimulateOptions['resolvePolicy']): number {
  return new Simulation(scenario, resolvePolicy ? { resolvePolicy } : {}).run().summary.cost.totalUsd;
}

/** Every reason to refuse, collected (style.md lesson 5), before any AWS call. */
export function awsGuardProblems(options: Pick<AwsTargetOptions, 'confirmAws' | 'maxCostUsd'>, estimateUsd?: number): string[] {
  const problems: string[] = [];
  if (!options.confirmAws) problems.push('--confirm-aws is required: the aws target creates billed resources in the account of your default AWS credentials');
  if (options.maxCostUsd === undefined) problems.push('--max-cost-usd N is required: the run is refused when the simulator estimates it above N');
  else if (!Number.isFinite(options.maxCostUsd) || options.maxCostUsd < 0) problems.push(`--max-cost-usd must be a number ≥ 0, got ${options.maxCostUsd}`);
  else if (estimateUsd !== undefined && estimateUsd > options.maxCostUsd) {
    problems.push(`the simulator estimates this scenario at $${estimateUsd.toFixed(4)}, above --max-cost-usd ${options.maxCostUsd}: raise the ceiling or shorten the scenario`);
  }
  return problems;
}

export async function startAwsTarget(options: AwsTargetOptions): Promise<AwsTarget> {
  const early = awsGuardProblems(options);
  if (early.length > 0) throw new UsageError(`aws target refused:\n  ${early.join('\n  ')}`);
  const estimateUsd = estimateScenarioCostUsd(options.scenario, options.resolvePolicy);
  const late = awsGuardProblems(options, estimateUsd);
  if (late.length > 0) throw new UsageError(`aws target refused:\n  ${late.join('\n  ')}`);

  const runId = options.runId ?? newRunId();
  const prefix = runPrefix(runId);
  const region = options.region ?? options.scenario.region;
  let clients: AwsClients | undefined;
  const override = options.testEndpoint ? { endpoint: options.testEndpoint.endpoint, credentials: { ...options.testEndpoint.credentials } } : {};
  const aws = () => (clients ??= createAwsClients({ name: 'aws', region, ...override }, { sdkRetries: true }));
  const target: AwsTarget = {
    name: 'aws',
    region,
    ...override,
    runId,
    prefix,
    tags: { [RUN_TAG]: runId },
    estimateUsd,
    resourceName: (base) => prefix + base.replace(/^ingestlab[-_]/, ''),
    tagResources: (resources) => tagRunResources(aws(), runId, resources),
    async stop() {
      try {
        target.cleanup = await cleanupRuns(aws(), { runId });
      } finally {
        clients?.destroy();
      }
    },
  };
  return target;
}
