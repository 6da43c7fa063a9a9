/**
 * plan/best.yaml: the scenario file as written, with the base overrides (--set, --duration, …) and the winner's values
 * set in place (comments and layout kept), renamed, and every relative path (trace files, policy modules) rewritten
 * so the file runs from the folder it is written to. Pure: text in, text out.
 */
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { isCollection, isScalar, parseDocument, type Document } from 'yaml';

export interface BestYamlInput {
  /** The scenario file's text. */
  readonly text: string;
  /** The folder the scenario file is in (relative paths in it are read from there). */
  readonly scenarioDir: string;
  /** The folder best.yaml is written to. */
  readonly outDir: string;
  /** Base overrides then the winner's, as dotted keys. */
  readonly overrides: Readonly<Record<string, unknown>>;
  /** Name of the written scenario. */
  readonly name: string;
  /** A comment at the top: what plan found and how. */
  readonly header: string;
}

const isModulePath = (name: string) => /[\\/]/.test(name) || /\.(ts|js|mjs|mts)$/.test(name);

export function bestYaml(input: BestYamlInput): string {
  const doc = parseDocument(input.text);
  for (const [key, value] of Object.entries(input.overrides)) setDeep(doc, key.split('.').map((k) => (/^\d+$/.test(k) ? Number(k) : k)), value);
  doc.setIn(['name'], input.name);
  const moved = (p: string) => {
    if (isAbsolute(p)) return p;
    const rel = relative(input.outDir, resolve(input.scenarioDir, p)).split(sep).join('/');
    return rel.startsWith('.') ? rel : `./${rel}`;
  };
  const tenants = doc.getIn(['tenants'], true);
  if (isCollection(tenants)) {
    tenants.items.forEach((_, i) => {
      const file = doc.getIn(['tenants', i, 'trace', 'file']);
      if (typeof file === 'string') doc.setIn(['tenants', i, 'trace', 'file'], moved(file));
    });
  }
  for (const path of [['kinesis', 'autoscaler', 'policy'], ['dynamodb', 'autoscaling', 'policy']]) {
    const policy = doc.getIn(path);
    if (typeof policy === 'string' && isModulePath(policy)) doc.setIn(path, moved(policy));
  }
  doc.commentBefore = input.header
    .split('\n')
    .map((l) => ` ${l}`)
    .join('\n') + (doc.commentBefore ? `\n${doc.commentBefore}` : '');
  return doc.toString({ lineWidth: 0 });
}

/** Sets a value at a path, replacing scalars on the way by mappings (as the loader's overrides do). */
function setDeep(doc: Document, path: (string | number)[], value: unknown): void {
  for (let i = 1; i < path.length; i++) {
    const prefix = path.slice(0, i);
    const node = doc.getIn(prefix, true);
    if (node === undefined || node === null || isScalar(node)) doc.setIn(prefix, doc.createNode({}));
  }
  // A scalar keeps its node, so a comment beside the old value stays beside the new one.
  const existing = doc.getIn(path, true);
  if (isScalar(existing) && (value === null || typeof value !== 'object')) existing.value = value;
  else doc.setIn(path, doc.createNode(value));
}
