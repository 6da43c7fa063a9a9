/**
 * scenario.resolved.yaml: the scenario exactly as a run used it (the file with every --set, --seed, --duration and
 * --resolution applied, and policy module paths made absolute), saved in the run folder so that the run can be
 * checked again (`ingestlab check <run folder>`) or re-run (`ingestlab scenario <run folder>/scenario.resolved.yaml`)
 * and give the same numbers.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { UsageError } from '../sim/errors.ts';

export const RESOLVED_SCENARIO = 'scenario.resolved.yaml';

/** Sections that name a policy, which may be a module path relative to the scenario file. */
const POLICY_SECTIONS = [
  ['kinesis', 'autoscaler'],
  ['dynamodb', 'autoscaling'],
] as const;

export function resolvedScenarioYaml(path: string, overrides: Record<string, unknown>, source: string): string {
  const data = (parse(readFileSync(path, 'utf8')) ?? {}) as Record<string, unknown>;
  // The loader's own rule for dotted keys: numeric parts index lists, missing parents become mappings.
  for (const [key, value] of Object.entries(overrides)) setPath(data, key.split('.'), value);
  for (const [service, section] of POLICY_SECTIONS) {
    const block = (data[service] as Record<string, Record<string, unknown>> | undefined)?.[section];
    const name = block && typeof block === 'object' ? block.policy : undefined;
    if (typeof name === 'string' && (/[\\/]/.test(name) || /\.(ts|js|mjs|mts)$/.test(name)) && !isAbsolute(name)) {
      block!.policy = resolve(dirname(path), name);
    }
  }
  // Trace files are read relative to the scenario file too (scenarios/trace-file.ts).
  for (const group of Array.isArray(data.tenants) ? (data.tenants as Record<string, unknown>[]) : []) {
    const trace = group && typeof group === 'object' ? (group.trace as Record<string, unknown> | undefined) : undefined;
    if (trace && typeof trace === 'object' && typeof trace.file === 'string' && !isAbsolute(trace.file)) trace.file = resolve(dirname(path), trace.file);
  }
  const set = Object.entries(overrides).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  const header = [
    `# The scenario as this run used it: ${source}${set.length > 0 ? ` with ${set.join(', ')}` : ''}.`,
    '# Written by ingestlab with each run; `ingestlab check` on the run folder runs it again.',
  ];
  return `${header.join('\n')}\n${stringify(data, { lineWidth: 0 })}`;
}

function setPath(target: Record<string, unknown>, keys: string[], value: unknown): void {
  let node: Record<string | number, unknown> = target;
  keys.forEach((rawKey, i) => {
    const key = /^\d+$/.test(rawKey) ? Number(rawKey) : rawKey;
    if (i === keys.length - 1) {
      node[key] = value;
      return;
    }
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Record<string | number, unknown>;
  });
}

/**
 * The scenario file a command argument names: a bundled name, a .yaml path, or a run folder (its saved
 * scenario.resolved.yaml). A folder without one is refused here, not as an EISDIR from deep inside the loader.
 */
export function scenarioPathOf(nameOrPath: string, resolveScenarioPath: (nameOrPath: string) => string): string {
  if (existsSync(nameOrPath) && statSync(nameOrPath).isDirectory()) {
    const saved = join(nameOrPath, RESOLVED_SCENARIO);
    if (existsSync(saved)) return resolve(saved);
    throw new UsageError(`${nameOrPath} is a folder; expected a bundled scenario name, a .yaml file, or a run folder holding ${RESOLVED_SCENARIO}`);
  }
  return resolveScenarioPath(nameOrPath);
}
