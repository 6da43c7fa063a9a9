/**
 * The one place that turns a failure into what the user sees and the exit code: a short message on stderr, never a
 * stack trace (INGESTLAB_DEBUG=1 or the hidden --debug flag adds it). Codes are documented in the README
 * ("Exit codes"): 2 for anything the user can fix in their input, flags, policy module or output folder; 1 only for
 * a fault of ingestlab itself.
 */
import { dirname } from 'node:path';
import { CommanderError } from 'commander';
import { ExitCode, PolicyError, ScenarioError, UsageError } from '../sim/errors.ts';

export interface Failure {
  code: number;
  /** What to print on stderr, ending without a newline; empty when commander already printed its own message. */
  message: string;
}

/** Filesystem errors a user causes with a path they typed, worded by what went wrong. */
const FS_REASONS: Record<string, string> = {
  EISDIR: 'is a folder, expected a file',
  ENOTDIR: 'a part of the path is a file, not a folder',
  ENOENT: 'no such file or folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  EEXIST: 'already exists',
  ENOTEMPTY: 'folder is not empty',
  ENOSPC: 'no space left on the device',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'name too long',
  ELOOP: 'too many symbolic links',
};

const VERBS: Record<string, string> = {
  open: 'open',
  read: 'read',
  scandir: 'list',
  mkdir: 'create folder',
  mkdtemp: 'write in',
  rename: 'move into place',
  rmdir: 'remove',
  unlink: 'remove',
  access: 'access',
  stat: 'read',
  lstat: 'read',
  copyfile: 'copy to',
};

export function failureOf(error: unknown, debug = false): Failure {
  const failure = describe(error);
  if (debug && error instanceof Error && error.stack) {
    failure.message += `${failure.message ? '\n' : ''}${error.stack}`;
    if (error.cause instanceof Error && error.cause.stack) failure.message += `\ncaused by: ${error.cause.stack}`;
  }
  return failure;
}

function describe(error: unknown): Failure {
  if (error instanceof ScenarioError) {
    const n = error.problems.length;
    return { code: ExitCode.invalidInput, message: `${n === 1 ? 'invalid scenario' : `invalid scenario (${n} problems)`}:\n${error.message}` };
  }
  if (error instanceof UsageError || error instanceof PolicyError) return { code: ExitCode.invalidInput, message: `error: ${error.message}` };
  if (error instanceof CommanderError) {
    // Help and --version exit 0; commander has already printed its own message for the rest.
    return { code: error.exitCode === 0 ? ExitCode.ok : ExitCode.invalidInput, message: '' };
  }
  const errno = error as NodeJS.ErrnoException & { dest?: string };
  if (errno && typeof errno.code === 'string' && FS_REASONS[errno.code] && typeof errno.path === 'string') {
    const verb = VERBS[errno.syscall ?? ''] ?? errno.syscall ?? 'use';
    // mkdtemp names its template (`out/.run.tmp-XXXXXX`): the folder it could not write in is what the user typed.
    const path = errno.syscall === 'mkdtemp' ? dirname(errno.path) : errno.path;
    const target = errno.dest ? `${path} → ${errno.dest}` : path;
    return { code: ExitCode.invalidInput, message: `error: cannot ${verb} ${target}: ${FS_REASONS[errno.code]} (${errno.code})` };
  }
  const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
  return {
    code: ExitCode.failure,
    message: `error: ${message}\n(an internal error of ingestlab: please report it with the command you ran; INGESTLAB_DEBUG=1 prints the stack trace)`,
  };
}

/**
 * `npm run scenario burst-spike --seed 7` without `--`: npm keeps `--seed` as its own config (it sets
 * npm_config_seed=true) and passes on only `7`. Returns a line saying what to type instead, or '' when npm did not
 * take any of our flags.
 */
export function npmSwallowHint(longFlags: readonly string[], args: readonly string[], env: NodeJS.ProcessEnv = process.env): string {
  const script = env.npm_lifecycle_event;
  if (!script) return '';
  const taken = longFlags.filter((flag) => env[`npm_config_${flag.replace(/^--/, '').replace(/-/g, '_')}`] === 'true');
  if (taken.length === 0) return '';
  // One flag taken: its value is the last bare argument, so the command can be rebuilt exactly.
  const example =
    taken.length === 1 && args.length >= 2
      ? `npm run ${script} -- ${[...args.slice(0, -1), taken[0], args.at(-1)].join(' ')}`
      : `npm run ${script} -- ${args.join(' ')} ${taken.map((f) => `${f} …`).join(' ')}`.replace(/\s+/g, ' ');
  return `npm kept ${taken.join(', ')} for itself (flags after the script name need -- first); type:\n  ${example}`;
}
