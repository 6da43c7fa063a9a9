/** The bottom line: the keys and what they do now; on a finished real run, the audit's verdict first. */
import { Text } from 'ink';

export interface KeyHelpProps {
  readonly paused: boolean;
  readonly done: boolean;
  /** False for runs at wall-clock pace, where + and - do nothing. */
  readonly speedAdjustable: boolean;
  readonly width: number;
  /** A real run: it cannot pause, and q ends its load early (it still drains and audits). */
  readonly real?: { readonly stopping: boolean };
  /** A finished real run's audit. */
  readonly verdict?: { readonly ok: boolean; readonly text: string };
}

export function KeyHelp(props: KeyHelpProps) {
  const keys: [string, string][] = props.done
    ? [['q', 'quit and print the summary']]
    : props.real
      ? [['q', props.real.stopping ? 'again: leave now (the run still drains and audits)' : 'stop the load (then drain, audit, summary)']]
      : [
          ['space', props.paused ? 'resume' : 'pause'],
          ...(props.speedAdjustable ? ([['+', 'faster'], ['-', 'slower']] as [string, string][]) : []),
          ['q', 'quit (prints the summary so far)'],
        ];
  return (
    <Text wrap="truncate-end">
      {props.verdict ? <Text color={props.verdict.ok ? 'green' : 'red'}>{`${props.verdict.text} · `}</Text> : props.done ? <Text color="green">run finished · </Text> : null}
      {keys.map(([key, what], i) => (
        <Text key={key}>
          {i > 0 ? <Text dimColor> · </Text> : null}
          <Text bold color="cyan">
            {key}
          </Text>
          <Text dimColor>{` ${what}`}</Text>
        </Text>
      ))}
    </Text>
  );
}
