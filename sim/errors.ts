/** Every error class the project throws on purpose. Libraries throw these; the CLI catches them once and picks the exit code. */

/** One problem in a scenario file, located as precisely as the YAML allows. */
export interface ScenarioProblem {
  file: string;
  line: number;
  column: number;
  /** Field path such as `tenants[0].rate`. */
  path: string;
  message: string;
}

/** A scenario file (or an override of one) that cannot be run. Carries every problem found, not just the first. */
export class ScenarioError extends Error {
  readonly problems: readonly ScenarioProblem[];
  constructor(problems: readonly ScenarioProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'ScenarioError';
    this.problems = problems;
  }
}

export function formatProblem(p: ScenarioProblem): string {
  return `${p.file}:${p.line}:${p.column} ${p.path || '(top level)'}: ${p.message}`;
}

/** Bad command-line use: an unknown scenario name, a malformed flag value. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * A user-written scaling policy that cannot be used: its module does not import, or its decide() throws or runs past
 * its time budget. The message names the module and what went wrong; the CLI treats it as invalid input.
 */
export class PolicyError extends Error {
  override name = 'PolicyError';
}

/**
 * Exit codes, named as k6 names them (README "Exit codes"). `eventsLost`: accepted events were lost, or the audit
 * did not balance; it outranks `expectationsFailed`, because numbers that do not add up cannot be taken to a review.
 */
export const ExitCode = { ok: 0, failure: 1, invalidInput: 2, eventsLost: 98, expectationsFailed: 99 } as const;
