/**
 * Module resolution hooks for user-written policy modules (registered by scenarios/import-policy.ts).
 *
 * - A policy file kept outside this repository has no node_modules near it, so `import { z } from 'ingestlab/policy'`
 *   or `from 'zod'` would fail; when normal resolution fails for `ingestlab`, `ingestlab/*`, `zod` or `zod/*`, resolve
 *   it as this package would (self-reference through package.json "exports", and this package's own zod).
 * - A TypeScript file in a folder without a package.json counts as CommonJS to node, and tsx then fails on its
 *   `import` lines (ERR_REQUIRE_CYCLE_MODULE on Node 20); policy files are ES modules, so say so.
 */
let root;
let packageJsonUrl;

export function initialize(data) {
  packageJsonUrl = data.packageJsonUrl;
  root = new URL('./', packageJsonUrl).href;
}

const OURS = /^(ingestlab|zod)(\/.*)?$/;

export async function resolve(specifier, context, nextResolve) {
  let resolved;
  try {
    resolved = await nextResolve(specifier, context);
  } catch (error) {
    if (!OURS.test(specifier) || !packageJsonUrl) throw error;
    return nextResolve(specifier, { ...context, parentURL: packageJsonUrl });
  }
  const url = resolved.url;
  if (/\.(ts|tsx)$/.test(url.split('?')[0]) && url.startsWith('file:') && !url.startsWith(root) && !url.includes('/node_modules/') && resolved.format !== 'module') {
    return { ...resolved, format: 'module' };
  }
  return resolved;
}
