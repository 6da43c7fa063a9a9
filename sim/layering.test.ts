/**
 * design.md, Layout: sim/ holds pure models; it imports nothing from scenarios/ (the file format composes the models'
 * configs, not the other way round) and nothing that does I/O. Tests beside the models may use the loader to test
 * through the file format, so only the models themselves are checked.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SIM = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(SIM, '..');

/** Packages a model may use: none of them touches files, network or processes. */
const ALLOWED_PACKAGES = new Set(['zod', 'simple-statistics', 'seedrandom', 'hdr-histogram-js', 'node:crypto']);

function modelFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return modelFiles(path);
    return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

/** Every module specifier: static imports and re-exports, side-effect imports, dynamic import() and require(). */
function importsOf(source: string): string[] {
  const found: string[] = [];
  const patterns = [/\bfrom\s+['"]([^'"]+)['"]/g, /\bimport\s+['"]([^'"]+)['"]/g, /\bimport\s*\(\s*['"]([^'"]+)['"]/g, /\brequire\s*\(\s*['"]([^'"]+)['"]/g];
  for (const pattern of patterns) for (const match of source.matchAll(pattern)) found.push(match[1]!);
  return found;
}

/** Why `specifier`, imported by `file`, breaks the layering; undefined when it does not. */
function layeringProblem(file: string, specifier: string): string | undefined {
  if (specifier.startsWith('.')) {
    const target = relative(ROOT, resolve(dirname(file), specifier));
    return target.startsWith('sim/') || target.startsWith('sim\\') ? undefined : `imports ${target}, outside sim/`;
  }
  return ALLOWED_PACKAGES.has(specifier) ? undefined : `imports ${specifier}, not in the pure-model allow list`;
}

describe('sim/ layering', () => {
  it('the checker catches an import from scenarios/, node:fs, a dynamic node:http import and a require of fs', () => {
    const file = join(SIM, 'kinesis.ts');
    const source = `import type { Scenario } from '../scenarios/schema.ts';\nimport { readFileSync } from 'node:fs';\nconst h = await import('node:http');\nconst fs = require("fs");\nimport { z } from 'zod';`;
    const problems = importsOf(source).map((s) => layeringProblem(file, s)).filter(Boolean);
    expect(problems).toEqual([
      'imports scenarios/schema.ts, outside sim/',
      'imports node:fs, not in the pure-model allow list',
      'imports node:http, not in the pure-model allow list',
      'imports fs, not in the pure-model allow list',
    ]);
  });

  it('no model file imports from scenarios/, outside sim/, or a module that does I/O', () => {
    const files = modelFiles(SIM);
    expect(files.length).toBeGreaterThan(20);
    const problems = files.flatMap((file) =>
      importsOf(readFileSync(file, 'utf8')).flatMap((specifier) => {
        const problem = layeringProblem(file, specifier);
        return problem ? [`${relative(ROOT, file)} ${problem}`] : [];
      }),
    );
    expect(problems).toEqual([]);
  });
});
