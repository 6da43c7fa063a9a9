/**
 * The name a scenario's output folder and baseline file are keyed by. Never the scenario's `name` as written (that
 * is free text, and `name: ../../tmp/x` must not become a path), and never shared between a user's file and a
 * bundled scenario: a bundled scenario is keyed by its file name (`burst-spike`), a user file by `file-` and its path
 * relative to the working folder (`examples/burst-with-own-policy.yaml` → `file-examples-burst-with-own-policy`),
 * which is the same on every machine that checks the repository out, so a committed baseline is found in CI.
 */
import { basename, dirname, extname, isAbsolute, relative, resolve } from 'node:path';

/** A safe single path component: letters, digits, `.`, `_`, `-`; never empty, `.` or `..`. */
export function slug(text: string, max = 80): string {
  const s = text
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, max)
    .replace(/[-.]+$/, '');
  return s === '' ? 'scenario' : s;
}

export function scenarioKey(scenarioPath: string, bundledDir: string, cwd = process.cwd()): string {
  const path = resolve(scenarioPath);
  if (dirname(path) === resolve(bundledDir)) return slug(basename(path, extname(path)));
  const rel = relative(cwd, path);
  // Outside the working folder: the absolute path, without its leading slash, is as stable as anything.
  const shown = rel.startsWith('..') || isAbsolute(rel) ? path : rel;
  const withoutExt = shown.slice(0, shown.length - extname(shown).length);
  return slug(`file-${withoutExt.split(/[\\/]+/).filter((p) => p !== '' && p !== '..').join('-')}`, 120);
}
