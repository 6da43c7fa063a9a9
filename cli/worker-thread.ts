/**
 * Starts a worker thread on one of our modules (check, plan and loadgen each run one). The compiled CLI (cli/build.mjs)
 * has each worker as a file of its own, `buildFile` in INGESTLAB_BUILD_DIR. From source, a worker thread does not
 * inherit tsx's loader for its entry module (Node 20 refuses the .ts file), so it starts from a line of JavaScript that
 * imports the module through tsx's API.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

export function startWorker(module: URL, buildFile: string, workerData: unknown): Worker {
  const build = process.env.INGESTLAB_BUILD_DIR;
  if (build) return new Worker(pathToFileURL(join(build, buildFile)), { workerData });
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const source = `import(${JSON.stringify(tsxApi)}).then(({ tsImport }) => tsImport(${JSON.stringify(module.href)}, ${JSON.stringify(module.href)}));`;
  return new Worker(source, { eval: true, workerData });
}
