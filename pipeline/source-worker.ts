/**
 * Starts a worker thread on one of the pipeline's worker modules. From the compiled CLI (cli/build.mjs) the worker is
 * the build's own file, `<buildFile>`; from source a worker thread does not inherit tsx's loader for its entry module,
 * so it starts from a line of JavaScript that imports the TypeScript module (`source`) through tsx's API.
 */
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export function newPipelineWorker(buildFile: string, source: URL, workerData: unknown): Worker {
  const build = process.env['INGESTLAB_BUILD_DIR'];
  if (build) return new Worker(pathToFileURL(join(build, buildFile)), { workerData });
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const module = source.href;
  const code = `import(${JSON.stringify(tsxApi)}).then(({ tsImport }) => tsImport(${JSON.stringify(module)}, ${JSON.stringify(import.meta.url)}));`;
  return new Worker(code, { eval: true, workerData });
}
