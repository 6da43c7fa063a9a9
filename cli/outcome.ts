/**
 * What a finished run means for the exit code. Numbers that do not add up, or accepted events that never arrived, are a
 * failure of their own (exit 98, `ExitCode.eventsLost`), ahead of failed expectations (99): such a run cannot be taken
 * to a review. A scenario that states in `expect:` how many losses it accepts (an expectation on `events.lost` that
 * holds, as table-per-day does) is not failed for them; an unbalanced audit always is.
 */
import { ExitCode } from '../sim/errors.ts';
import type { ExpectationResult } from '../sim/expectations.ts';
import type { Summary } from '../sim/summary.ts';

export interface RunOutcome {
  code: number;
  /** One line saying why the run failed; undefined when it passed. */
  reason?: string;
}

type Audited = Pick<Summary, 'events' | 'audit'>;

/** Lost or unbalanced (98), then failed expectations (99, only when `gateExpectations`), else 0. */
export function runOutcome(summary: Audited, expectations: readonly ExpectationResult[] | undefined, gateExpectations: boolean): RunOutcome {
  const lost = lossProblem(summary, expectations);
  if (lost) return { code: ExitCode.eventsLost, reason: lost };
  const failed = (expectations ?? []).filter((x) => !x.pass);
  if (gateExpectations && failed.length > 0) {
    return { code: ExitCode.expectationsFailed, reason: `${failed.length} of ${expectations!.length} expectations failed` };
  }
  return { code: ExitCode.ok };
}

/** Why the run's events do not add up or were lost (unless its expectations accept the losses); undefined if fine. */
export function lossProblem(summary: Audited, expectations: readonly ExpectationResult[] | undefined): string | undefined {
  if (!summary.audit.balanced) {
    const detail = summary.audit.notes.find((n) => /differs/.test(n)) ?? summary.audit.notes[0];
    return `audit NOT balanced${detail ? `: ${detail}` : ''}`;
  }
  const lost = summary.events.lost;
  if (lost >= 1) {
    const accepted = (expectations ?? []).filter((x) => x.key === 'events.lost');
    if (accepted.length > 0 && accepted.every((x) => x.pass)) return undefined;
    return `${Math.round(lost).toLocaleString('en-US')} accepted events lost (of ${Math.round(summary.events.accepted).toLocaleString('en-US')} accepted)`;
  }
  return undefined;
}

/** The worst of several outcomes: 2 and 1 never reach here (they throw), so 98 > 99 > 0. */
export function worstOutcome(outcomes: readonly RunOutcome[]): RunOutcome {
  const rank = (code: number) => (code === ExitCode.eventsLost ? 2 : code === ExitCode.expectationsFailed ? 1 : 0);
  return outcomes.reduce((worst, o) => (rank(o.code) > rank(worst.code) ? o : worst), { code: ExitCode.ok } as RunOutcome);
}
