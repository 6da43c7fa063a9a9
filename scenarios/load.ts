/**
 * Reads a scenario file: YAML parsed with positions kept, validated by the schema, every problem reported as
 * `file:line:col path: message`. The only file I/O of the scenario layer lives here.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LineCounter, parseDocument, isMap, isNode, isPair, isScalar, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { ScenarioError, UsageError, type ScenarioProblem } from '../sim/errors.ts';
import { BUNDLED_POLICIES, resolveBundledPolicy } from '../sim/policies/index.ts';
import { importPolicyModule } from './import-policy.ts';
import type { ScalingPolicy } from '../sim/policies/policy.ts';
import { scenarioSchema, type Scenario } from './schema.ts';
import { attachTraces } from './trace-file.ts';

export const BUNDLED_DIR = dirname(fileURLToPath(import.meta.url));

/** `burst-spike` → the bundled file; anything with a slash or a .yaml/.yml ending → that path. */
export function resolveScenarioPath(nameOrPath: string): string {
  const looksLikePath = /[\\/]/.test(nameOrPath) || /\.ya?ml$/.test(nameOrPath);
  if (looksLikePath) {
    const path = resolve(nameOrPath);
    if (!existsSync(path)) throw new UsageError(`scenario file not found: ${nameOrPath}`);
    return path;
  }
  const bundled = join(BUNDLED_DIR, `${nameOrPath}.yaml`);
  if (!existsSync(bundled)) {
    throw new UsageError(`no bundled scenario named "${nameOrPath}"; bundled: ${listBundled().join(', ')}`);
  }
  return bundled;
}

/** Names of the bundled scenarios. */
export function listBundled(): string[] {
  return readdirSync(BUNDLED_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.replace(/\.yaml$/, ''))
    .sort();
}

export type PolicyResolver = (name: string) => ScalingPolicy<any, any> | undefined;

export interface LoadedScenario {
  readonly scenario: Scenario;
  /** Bundled policies plus any user modules the scenario names by path. */
  readonly resolvePolicy: PolicyResolver;
  readonly path: string;
}

/** Sections that name a scaling policy, and the service each must scale. */
const POLICY_SECTIONS = [
  { path: ['kinesis', 'autoscaler'], service: 'kinesis' },
  { path: ['dynamodb', 'autoscaling'], service: 'dynamodb' },
] as const;

const isModulePath = (name: string) => /[\\/]/.test(name) || /\.(ts|js|mjs|mts)$/.test(name);

/**
 * Loads and validates a scenario file, applying dotted-key overrides (`kinesis.shards=8`) before validation, and
 * imports user policy modules it names by path (relative to the scenario file).
 */
export async function loadScenario(path: string, overrides: Record<string, unknown> = {}): Promise<LoadedScenario> {
  const text = readFileSync(path, 'utf8');
  const userPolicies = new Map<string, ScalingPolicy<any, any>>();
  // YAML that cannot become data (an alias without its anchor) is reported with its position by parseScenario.
  let raw: any;
  try {
    raw = parseDocument(text).toJS() ?? {};
  } catch {
    raw = {};
  }
  for (const [key, value] of Object.entries(overrides)) if (typeof raw === 'object') setPath(raw, key.split('.'), value);
  for (const section of POLICY_SECTIONS) {
    const name = (raw as any)?.[section.path[0]]?.[section.path[1]]?.policy;
    if (typeof name !== 'string' || !isModulePath(name) || userPolicies.has(name)) continue;
    const modulePath = resolve(dirname(path), name);
    if (!existsSync(modulePath)) continue; // reported with file:line:col by parseScenario
    const policy = await importPolicyModule(modulePath, name);
    if (policy) userPolicies.set(name, policy);
  }
  const resolvePolicy: PolicyResolver = (name) => userPolicies.get(name) ?? resolveBundledPolicy(name);
  const scenario = parseScenario(text, path, overrides, resolvePolicy);
  return { scenario, resolvePolicy, path };
}

/**
 * Parses scenario text; `file` is only used in error messages. Policy sections are validated by the named policy's
 * own schema, so their errors carry positions too.
 */
export function parseScenario(
  text: string,
  file: string,
  overrides: Record<string, unknown> = {},
  resolvePolicy: PolicyResolver = resolveBundledPolicy,
): Scenario {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => lineCounter.linePos(offset);

  if (doc.errors.length > 0) {
    throw new ScenarioError(
      doc.errors.map((e) => {
        // The parser reports an unclosed quote at the end of the file; point at the quote that opens it instead.
        const opening = /Missing closing .*quote/.test(e.message) ? unclosedQuote(text) : undefined;
        const { line, col } = opening ?? at(e.pos[0]);
        return { file, line, column: col, path: '', message: `invalid YAML: ${e.message.split('\n')[0]}` };
      }),
    );
  }
  let data;
  try {
    data = doc.toJS() ?? {};
  } catch (error) {
    // toJS throws for an alias whose anchor is missing or comes later: point at the alias.
    const message = (error as Error).message;
    const alias = /alias.*: (\S+)$/.exec(message)?.[1];
    const offset = alias ? text.indexOf(`*${alias}`) : -1;
    const { line, col } = offset >= 0 ? at(offset) : { line: 1, col: 1 };
    throw new ScenarioError([{ file, line, column: col, path: '', message: `invalid YAML: ${message.split('\n')[0]}` }]);
  }
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new ScenarioError([{ file, line: 1, column: 1, path: '', message: 'expected a mapping of scenario keys' }]);
  }
  for (const [key, value] of Object.entries(overrides)) setPath(data, key.split('.'), value);

  const result = scenarioSchema.safeParse(data, { reportInput: true });
  const problems = result.success ? [] : result.error.issues.map((issue) => toProblem(issue, doc, file, at, overrides));
  if (result.success) {
    for (const section of POLICY_SECTIONS) {
      const value = (result.data as any)[section.path[0]][section.path[1]];
      if (value === 'none') continue;
      const name: string = value.policy;
      const policy = resolvePolicy(name);
      const fail = (message: string) =>
        problems.push(toProblem({ code: 'custom', path: [...section.path, 'policy'], message, input: name } as Issue, doc, file, at, overrides));
      if (!policy) {
        fail(
          isModulePath(name)
            ? `policy module "${name}" not found or has no default export with a decide() function`
            : `unknown policy "${name}"; bundled: ${Object.keys(BUNDLED_POLICIES).join(', ')}, or a path to your own module`,
        );
        continue;
      }
      if (policy.service !== section.service) {
        fail(`policy "${name}" scales ${policy.service}, not ${section.service}`);
        continue;
      }
      const parsed = policy.configSchema.safeParse(value, { reportInput: true });
      if (!parsed.success) {
        for (const issue of parsed.error.issues) {
          problems.push(toProblem({ ...issue, path: [...section.path, ...issue.path] } as Issue, doc, file, at, overrides));
        }
      }
    }
    if (problems.length === 0) {
      // Trace files are read once the file is valid, relative to its folder; their problems carry their own lines.
      const locate = (path: readonly (string | number)[]) => {
        const { line, col } = at(nearestNode(doc, path)?.range?.[0] ?? 0);
        return { line, column: col };
      };
      problems.push(...attachTraces(result.data.tenants, file, locate));
    }
    if (problems.length === 0) return result.data;
  }
  throw new ScenarioError(problems.sort((a, b) => a.line - b.line || a.column - b.column));
}

type Issue = z.core.$ZodIssue;

function toProblem(
  issue: Issue,
  doc: Document,
  file: string,
  at: (offset: number) => { line: number; col: number },
  overrides: Record<string, unknown>,
): ScenarioProblem {
  let path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
  let message = describeIssue(issue);
  let node = nearestNode(doc, path);
  // An unknown key is reported at its parent; point at the key itself.
  if (issue.code === 'unrecognized_keys' && issue.keys.length > 0) {
    const key = issue.keys[0]!;
    const hint = keyHint(key, path);
    if (hint) message += `; ${hint}`;
    path = [...path, key];
    node = keyNode(doc, path) ?? node;
  }
  const dotted = formatPath(path);
  // Overrides are typed `tenants.0.rate`; paths print as `tenants[0].rate`.
  const override = Object.keys(overrides).find((k) => {
    const key = formatPath(k.split('.').map((part) => (/^\d+$/.test(part) ? Number(part) : part)));
    return dotted === key || dotted.startsWith(`${key}.`) || dotted.startsWith(`${key}[`);
  });
  if (override !== undefined) message += ` (from the override ${override}=${JSON.stringify(overrides[override])})`;
  const offset = node?.range?.[0] ?? 0;
  const { line, col } = at(offset);
  return { file, line, column: col, path: dotted, message };
}

function describeIssue(issue: Issue): string {
  const got = 'input' in issue ? describeValue(issue.input) : undefined;
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined
        ? `required: expected ${issue.expected}`
        : `expected ${issue.expected}, got ${got}`;
    case 'unrecognized_keys':
      return `unknown key "${issue.keys[0]}"${issue.keys.length > 1 ? ` (also ${issue.keys.slice(1).join(', ')})` : ''}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${got}`;
    case 'too_small':
      return issue.origin === 'array'
        ? issue.message
        : `expected a number ${issue.inclusive ? '>=' : '>'} ${issue.minimum}, got ${got}`;
    case 'too_big':
      return `expected a number ${issue.inclusive ? '<=' : '<'} ${issue.maximum}, got ${got}`;
    case 'invalid_union':
      return `expected ${unionExpectation(issue)}, got ${got}`;
    default:
      // Custom issues (refinements, duration parsing) already say what they found.
      return issue.message;
  }
}

function unionExpectation(issue: Extract<Issue, { code: 'invalid_union' }>): string {
  const options = new Set<string>();
  for (const branch of issue.errors) {
    for (const inner of branch) {
      if (inner.path.length > 0) continue;
      if (inner.code === 'invalid_type') options.add(inner.expected);
      else if (inner.code === 'invalid_value') inner.values.forEach((v) => options.add(JSON.stringify(v)));
      else if (inner.code === 'too_small') options.add(`a number ${inner.inclusive ? '>=' : '>'} ${String(inner.minimum)}`);
    }
  }
  return options.size > 0 ? [...options].join(' or ') : 'a different value';
}

/** "did you mean `shards`?" for a near miss, else the keys allowed there (top-level and section keys only). */
function keyHint(key: string, path: readonly (string | number)[]): string | undefined {
  const allowed = keysAt(scenarioSchema, path);
  if (!allowed) return undefined;
  const near = allowed.filter((k) => editDistance(k.toLowerCase(), key.toLowerCase()) <= Math.max(1, Math.floor(key.length / 4)));
  if (near.length > 0) return `did you mean ${near.map((k) => `"${k}"`).join(' or ')}?`;
  return `expected one of ${allowed.join(', ')}`;
}

/** The keys an object schema accepts at `path`, unwrapping defaults, optionals, pipes and arrays. */
function keysAt(schema: unknown, path: readonly (string | number)[]): string[] | undefined {
  let def = (schema as { _zod?: { def?: any } })?._zod?.def;
  for (let i = 0; ; ) {
    while (def && ['default', 'prefault', 'optional', 'nullable', 'pipe', 'readonly'].includes(def.type)) {
      def = (def.innerType ?? def.in)?._zod?.def;
    }
    if (!def) return undefined;
    if (i === path.length) return def.type === 'object' ? Object.keys(def.shape) : undefined;
    const step = path[i++]!;
    if (def.type === 'array' && typeof step === 'number') def = def.element?._zod?.def;
    else if (def.type === 'object' && typeof step === 'string') def = def.shape[step]?._zod?.def;
    else return undefined;
  }
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const next = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = row[j]!;
      row[j] = next;
    }
  }
  return row[b.length]!;
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `"${value}"`;
  return String(value);
}

/** Line and column of the first quoted scalar whose line holds an odd number of its quote character. */
function unclosedQuote(text: string): { line: number; col: number } | undefined {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /(?:^|[:\-[{,]\s*)(["'])/.exec(lines[i]!.replace(/\s#.*$/, ''));
    if (!m) continue;
    const quote = m[1]!;
    const count = lines[i]!.split(quote).length - 1;
    if (count % 2 === 1) return { line: i + 1, col: m.index + m[0].length };
  }
  return undefined;
}

export function formatPath(path: readonly (string | number)[]): string {
  return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');
}

/** The deepest node of the document that exists along `path`. */
function nearestNode(doc: Document, path: readonly (string | number)[]): Node | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n), true);
    if (isNode(node)) return node;
  }
  return isNode(doc.contents) ? doc.contents : undefined;
}

/** The key node of the last path element, for messages about a key rather than its value. */
function keyNode(doc: Document, path: readonly (string | number)[]): Node | undefined {
  const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
  if (!isMap(parent)) return undefined;
  const pair = parent.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === path.at(-1));
  return pair && isPair(pair) && isNode(pair.key) ? pair.key : undefined;
}

function setPath(target: Record<string, unknown>, keys: string[], value: unknown): void {
  let node: Record<string, unknown> = target;
  keys.forEach((rawKey, i) => {
    const key = /^\d+$/.test(rawKey) ? Number(rawKey) : rawKey;
    if (i === keys.length - 1) {
      (node as Record<string | number, unknown>)[key] = value;
      return;
    }
    const next = (node as Record<string | number, unknown>)[key];
    if (typeof next !== 'object' || next === null) (node as Record<string | number, unknown>)[key] = {};
    node = (node as Record<string | number, unknown>)[key] as Record<string, unknown>;
  });
}
