#!/usr/bin/env node
/**
 * The `ingestlab` command. Runs the CLI from its compiled bundle (cli/build.mjs; rebuilt here when a source changed)
 * in this process, and falls back to compiling the TypeScript on the fly with tsx when no bundle can be built
 * (INGESTLAB_NO_BUNDLE=1 forces that). Either way one node process, no build step for the user.
 */
const debug = process.argv.includes('--debug') || Boolean(process.env.INGESTLAB_DEBUG);
// The AWS SDK warns on every start that its releases after January 2027 need Node 22; the lock file pins releases that
// run on Node 20 (README, Development), so the warning says nothing to act on here. Set the variable to false to see it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
let dir;
if (!process.env.INGESTLAB_NO_BUNDLE) {
  try {
    const { ensureBuild } = await import('./build.mjs');
    dir = await ensureBuild({ log: (line) => debug && process.stderr.write(`${line}\n`) });
  } catch (error) {
    if (debug) process.stderr.write(`no bundle, running through tsx: ${error.stack ?? error}\n`);
  }
}
if (dir) {
  if (debug) process.setSourceMapsEnabled(true);
  // Worker threads and the policy loader find the build through this (workers inherit the environment).
  process.env.INGESTLAB_BUILD_DIR = dir;
  const { pathToFileURL } = await import('node:url');
  await import(pathToFileURL(`${dir}/main.js`).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./main.ts');
}
