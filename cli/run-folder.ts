/**
 * Writing a run folder safely. A run is written whole into a temporary folder beside its destination and renamed into
 * place, so no file of an earlier run survives (a steady run's DynamoDB chart after an on-demand run) and a failed
 * run leaves the old folder as it was. An existing folder is replaced only if it is an ingestlab run folder (it holds
 * the marker file `.ingestlab-run`, or only the files a run writes) or `--force` is given; the destination is checked,
 * and the temporary folder created, before anything is simulated, so an unwritable `--out` fails at once.
 */
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { UsageError } from '../sim/errors.ts';

export const MARKER = '.ingestlab-run';

/** Folders other commands keep inside a scenario's run folder (compare/, plan/): a new run keeps them. */
const NESTED = ['compare', 'plan'];

/** Files and folders a run, a report or a comparison writes; a folder holding only these (and summary.json) is a run's. */
const RUN_FILES = new Set([
  'summary.json',
  'timeline.csv',
  'report.md',
  'report.html',
  'charts',
  'scenario.resolved.yaml',
  'expectations.json',
  'compare.md',
  'compare.html',
  'best.yaml',
  'plan.md',
  'plan.html',
  'variants',
  ...NESTED,
  MARKER,
]);

export interface RunFolder {
  /** Where the run ends up. */
  readonly dir: string;
  /** The temporary folder written first, a sibling of `dir`. */
  readonly tmp: string;
}

/**
 * Checks that `dir` may be (re)written and creates the temporary folder beside it; call before simulating.
 * Throws UsageError for a folder that is not a run's (without force), a file in the way, or a dangerous target.
 */
export function prepareRunFolder(dir: string, options: { force?: boolean } = {}): RunFolder {
  const target = resolve(dir);
  refuseDangerous(target, dir);
  if (existsSync(target)) {
    const stat = lstatSync(target);
    if (!stat.isDirectory()) throw new UsageError(`output folder ${dir} is a file; expected a folder (new, or an earlier run's)`);
    if (!options.force && !isRunFolder(target)) {
      const entries = readdirSync(target);
      throw new UsageError(
        `output folder ${dir} holds files that ingestlab did not write (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', …' : ''}); ` +
          `choose another --out, or add --force to replace the folder and everything in it`,
      );
    }
  }
  const parent = dirname(target);
  mkdirSync(parent, { recursive: true });
  const tmp = mkdtempSync(join(parent, `.${basename(target)}.tmp-`));
  return { dir: target, tmp };
}

/** Writes the run into the temporary folder, marks it, and moves it into place; returns the written paths as `dir` paths. */
export function commitRunFolder(folder: RunFolder, write: (tmp: string) => string[], marker: Record<string, unknown>): string[] {
  try {
    const written = write(folder.tmp);
    writeFileSync(join(folder.tmp, MARKER), JSON.stringify({ tool: 'ingestlab', ...marker }, null, 2) + '\n');
    replaceFolder(folder.tmp, folder.dir);
    return written.map((p) => (p.startsWith(folder.tmp) ? folder.dir + p.slice(folder.tmp.length) : p));
  } finally {
    rmSync(folder.tmp, { recursive: true, force: true });
  }
}

/** Removes the temporary folder of a run that will not be written (it failed, or was stopped). */
export function abandonRunFolder(folder: RunFolder | undefined): void {
  if (folder) rmSync(folder.tmp, { recursive: true, force: true });
}

/** Copies the named files of `from` into `to` if they exist (a report rebuilt into a new folder keeps the run's data). */
export function copyRunData(from: string, to: string, names: readonly string[]): void {
  for (const name of names) {
    const source = join(from, name);
    if (existsSync(source) && lstatSync(source).isFile()) writeFileSync(join(to, name), readFileSync(source));
  }
}

function replaceFolder(tmp: string, dir: string): void {
  if (!existsSync(dir)) {
    renameSync(tmp, dir);
    return;
  }
  // Move the old folder aside first: if the second rename fails, the old run is put back.
  const old = `${join(dirname(dir), `.${basename(dir)}.old-`)}${process.pid}-${Date.now().toString(36)}`;
  renameSync(dir, old);
  const carried = NESTED.filter((n) => !existsSync(join(tmp, n)) && existsSync(join(old, n)));
  for (const nested of carried) renameSync(join(old, nested), join(tmp, nested));
  try {
    renameSync(tmp, dir);
  } catch (error) {
    for (const nested of carried) renameSync(join(tmp, nested), join(old, nested));
    renameSync(old, dir);
    throw error;
  }
  rmSync(old, { recursive: true, force: true });
}

function isRunFolder(dir: string): boolean {
  const entries = readdirSync(dir);
  if (entries.length === 0 || entries.includes(MARKER)) return true;
  // Runs written before the marker existed: only run files, and a summary.json that is one.
  if (!entries.every((e) => RUN_FILES.has(e))) return false;
  if (!entries.includes('summary.json')) return entries.includes('compare.md') || entries.includes('plan.md');
  try {
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as { events?: unknown; cost?: unknown };
    return typeof summary === 'object' && summary !== null && 'events' in summary && 'cost' in summary;
  } catch {
    return false;
  }
}

/** Never replace the working folder, a folder above it, the home folder or the file system's root, even with --force. */
function refuseDangerous(target: string, shown: string): void {
  const cwd = process.cwd();
  const above = target === cwd || cwd.startsWith(target.endsWith(sep) ? target : target + sep);
  if (above || target === homedir() || target === resolve('/')) {
    const where = relative(cwd, target) || '.';
    throw new UsageError(`refusing to use ${shown} (${where}) as an output folder: a run replaces its output folder whole; name a folder of its own`);
  }
}

/** `reports/out/x/ (summary.json, timeline.csv, …)` and any file written elsewhere. */
export function wroteLine(dir: string, files: readonly string[]): string {
  const inside = files.filter((f) => resolve(f).startsWith(dir + sep)).map((f) => relative(dir, f));
  const outside = files.filter((f) => !resolve(f).startsWith(dir + sep));
  return [`${shown(dir)}/ (${inside.join(', ')})`, ...outside.map(shown)].join(', ');
}

/** A path as the user would type it: relative to the working folder when inside it. */
export function shown(path: string): string {
  const rel = relative(process.cwd(), resolve(path));
  return (rel === '' ? '.' : rel.startsWith('..') ? resolve(path) : rel).split(sep).join('/');
}
