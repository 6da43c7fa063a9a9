/**
 * Imports a user-written policy module and guards it. Its import failing, and its functions throwing or running past
 * a time budget (an endless loop in decide() would otherwise hang the run for ever), become a PolicyError naming the
 * module, the function, the simulated time and the line in the user's file.
 *
 * A policy file may live anywhere: module hooks (cli/policy-hooks.mjs) resolve `ingestlab/policy` and `zod` to this
 * package when the file has no node_modules of its own, and the compiled CLI registers tsx so TypeScript policies load.
 */
import { register } from 'node:module';
import { pathToFileURL } from 'node:url';
import vm from 'node:vm';
import { PolicyError } from '../sim/errors.ts';
import type { PolicyView, ScalingPolicy } from '../sim/policies/policy.ts';

/** Milliseconds one call of a user policy may take; INGESTLAB_POLICY_TIMEOUT_MS changes it. */
export const DEFAULT_POLICY_BUDGET_MS = 2000;

let hooksRegistered = false;

async function registerHooks(): Promise<void> {
  if (hooksRegistered) return;
  hooksRegistered = true;
  // Inside a vitest worker, vite loads modules itself; node's hooks would not be consulted. (Not the VITEST variable:
  // a CLI that a test spawns inherits it.)
  if ('__vitest_worker__' in globalThis) return;
  // The compiled CLI (cli/bin.mjs) runs plain JavaScript: teach node TypeScript for the user's module.
  if (process.env.INGESTLAB_BUILD_DIR) (await import('tsx/esm/api')).register();
  register(new URL('../cli/policy-hooks.mjs', import.meta.url), {
    data: { packageJsonUrl: new URL('../package.json', import.meta.url).href },
  });
}

/** Imports `modulePath` (named `name` in the scenario); undefined when it has no policy export (the loader says so). */
export async function importPolicyModule(modulePath: string, name: string): Promise<ScalingPolicy<any, any> | undefined> {
  await registerHooks();
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(modulePath).href)) as Record<string, unknown>;
  } catch (error) {
    throw new PolicyError(`policy module ${name} failed to load: ${firstLine(error)}${where(error, modulePath)}`, { cause: error });
  }
  const policy = (mod.default ?? mod.policy) as ScalingPolicy<any, any> | undefined;
  if (!policy || typeof policy.decide !== 'function') return undefined;
  return guardPolicy(policy, name, modulePath);
}

/** The policy with every function run under the time budget, and its failures turned into PolicyErrors. */
export function guardPolicy<C, S>(policy: ScalingPolicy<C, S>, name: string, modulePath: string, budgetMs = budget()): ScalingPolicy<C, S> {
  const context = vm.createContext({ fn: undefined, arg: undefined });
  const call = new vm.Script('fn(arg)');
  const run = <A, R>(what: string, fn: (arg: A) => R, arg: A, now: number | undefined): R => {
    context.fn = fn;
    context.arg = arg;
    const at = now === undefined ? '' : ` at ${now} s simulated`;
    try {
      return call.runInContext(context, { timeout: budgetMs }) as R;
    } catch (error) {
      if ((error as NodeJS.ErrnoException)?.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') {
        throw new PolicyError(`policy ${name}: ${what}() did not return within ${budgetMs} ms${at} (an endless loop?); a policy must decide at once (INGESTLAB_POLICY_TIMEOUT_MS sets the budget)`);
      }
      throw new PolicyError(`policy ${name}: ${what}() threw${at}: ${firstLine(error)}${where(error, modulePath)}`, { cause: error });
    } finally {
      context.fn = undefined;
      context.arg = undefined;
    }
  };
  return {
    ...policy,
    name: policy.name,
    service: policy.service,
    configSchema: policy.configSchema,
    checkIntervalSeconds: (config: C) => run('checkIntervalSeconds', (c: C) => policy.checkIntervalSeconds(c), config, undefined),
    initialState: (config: C) => run('initialState', (c: C) => policy.initialState(c), config, undefined),
    decide: (view: PolicyView<C, S>) => run('decide', (v: PolicyView<C, S>) => policy.decide(v), view, view.now),
  };
}

function budget(): number {
  const ms = Number(process.env.INGESTLAB_POLICY_TIMEOUT_MS);
  return Number.isFinite(ms) && ms > 0 ? ms : DEFAULT_POLICY_BUDGET_MS;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}

/** ` (policy.ts:12:9)`: the first stack frame in the user's module, when there is one. */
function where(error: unknown, modulePath: string): string {
  const stack = error instanceof Error ? (error.stack ?? '') : '';
  const file = modulePath.split(/[\\/]/).pop()!;
  for (const line of stack.split('\n')) {
    const m = /([^\\/( ]+):(\d+):(\d+)\)?\s*$/.exec(line);
    if (m && m[1] === file) return ` (${file}:${m[2]}:${m[3]})`;
  }
  return '';
}
