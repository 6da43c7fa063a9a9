/**
 * Compiles the CLI once into plain JavaScript so that starting it does not compile TypeScript each time (tsx takes
 * about a second per start on this project; the bundle starts in a tenth of that). `npm install` runs this as the
 * package's `prepare` script; cli/bin.mjs calls `ensureBuild()` on every start, which stats the sources the last
 * build was made from and rebuilds (≈0.3 s) when one changed, so an edited checkout never runs stale code.
 *
 * Each build goes to its own folder under node_modules/.cache/ingestlab/ and `current.json` names the newest, written
 * by rename, so CLIs started at the same moment never see a half-written build. Dependencies stay external (imported
 * from node_modules as usual); each command's lazy `import()` becomes a chunk of its own.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const CACHE = join(ROOT, 'node_modules', '.cache', 'ingestlab');
const MANIFEST = join(CACHE, 'current.json');
/** Entry points: the CLI, and modules that run as worker threads (they need a file of their own). */
const ENTRIES = { main: 'cli/main.ts', 'check-worker': 'cli/check-worker.ts', 'plan-worker': 'plan/worker.ts', 'loadgen-worker': 'loadgen/worker.ts', 'processor-worker': 'pipeline/processor/processor-worker.ts', 'emulator-worker': 'pipeline/targets/emulator-worker.ts' };

/** The folder of an up-to-date build, building one when the sources changed; undefined when it cannot build. */
export async function ensureBuild({ log = () => {} } = {}) {
  const current = fresh();
  if (current) return current;
  const lock = join(CACHE, 'build.lock');
  mkdirSync(CACHE, { recursive: true });
  if (!takeLock(lock)) {
    // Another CLI is building: wait for it rather than building the same thing twice.
    for (let waited = 0; waited < 20_000; waited += 50) {
      await new Promise((r) => setTimeout(r, 50));
      if (!existsSync(lock)) break;
    }
    const built = fresh();
    if (built) return built;
    if (!takeLock(lock)) return undefined;
  }
  try {
    return await build(log);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** The current build's folder if every source it was built from is unchanged. */
function fresh() {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(MANIFEST, 'utf8'));
  } catch {
    return undefined;
  }
  for (const [file, stamp] of Object.entries(manifest.inputs)) {
    try {
      const s = statSync(join(ROOT, file));
      if (`${s.mtimeMs}:${s.size}` !== stamp) return undefined;
    } catch {
      return undefined;
    }
  }
  const dir = join(CACHE, manifest.dir);
  return existsSync(join(dir, 'main.js')) ? dir : undefined;
}

/** A lock is a folder (mkdir is atomic); one left by a crashed build is taken over after 60 s. */
function takeLock(lock) {
  try {
    mkdirSync(lock);
    return true;
  } catch {
    try {
      if (Date.now() - statSync(lock).mtimeMs > 60_000) {
        rmdirSync(lock);
        mkdirSync(lock);
        return true;
      }
    } catch {
      /* someone else took it */
    }
    return false;
  }
}

async function build(log) {
  const esbuild = await import('esbuild');
  const name = `build-${Date.now().toString(36)}-${process.pid}`;
  const outdir = join(CACHE, name);
  const started = performance.now();
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: ENTRIES,
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    entryNames: '[name]',
    chunkNames: '[name]-[hash]',
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'silent',
    plugins: [sourceLocations],
  });
  const inputs = {};
  for (const file of Object.keys(result.metafile.inputs)) {
    const s = statSync(join(ROOT, file));
    inputs[file] = `${s.mtimeMs}:${s.size}`;
  }
  const tmp = `${MANIFEST}.${process.pid}`;
  writeFileSync(tmp, JSON.stringify({ dir: name, inputs }));
  renameSync(tmp, MANIFEST);
  log(`built the CLI in ${((performance.now() - started) / 1000).toFixed(2)} s → ${relative(ROOT, outdir)}`);
  prune(name);
  return outdir;
}

/**
 * Code that finds files next to itself (`import.meta.url`, `import.meta.dirname`: the bundled scenarios, the policy
 * loader hooks) must keep seeing its source location, not the chunk it was bundled into.
 */
const sourceLocations = {
  name: 'source-locations',
  setup(b) {
    b.onLoad({ filter: /\.(ts|tsx|mts)$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8')
        .replace(/\bimport\.meta\.url\b/g, JSON.stringify(pathToFileURL(args.path).href))
        .replace(/\bimport\.meta\.dirname\b/g, JSON.stringify(dirname(args.path)))
        .replace(/\bimport\.meta\.filename\b/g, JSON.stringify(args.path));
      return { contents: text, loader: args.path.endsWith('.tsx') ? 'tsx' : 'ts' };
    });
  },
};

/** Removes builds other than `keep` older than ten minutes (a CLI started from one may still be loading chunks). */
function prune(keep) {
  for (const entry of readdirSync(CACHE)) {
    if (!entry.startsWith('build-') || entry === keep) continue;
    const dir = join(CACHE, entry);
    try {
      if (Date.now() - statSync(dir).mtimeMs > 10 * 60_000) rmSync(dir, { recursive: true, force: true });
    } catch {
      /* already gone */
    }
  }
}

// `node cli/build.mjs` (npm's prepare step): build now and say so.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // Never fail `npm install` over this: without a build the CLI runs through tsx, only slower to start.
  const dir = await ensureBuild({ log: (line) => console.log(line) }).catch((error) => {
    console.error(`could not build the CLI bundle (${error.message.split('\n')[0]}); ingestlab will run through tsx`);
  });
  if (dir) console.log(`ingestlab CLI bundle up to date: ${relative(ROOT, dir)}`);
}
