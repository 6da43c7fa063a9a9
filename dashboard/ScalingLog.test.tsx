import { render } from 'ink-testing-library';
import { expect, test } from 'vitest';
import type { ScalingAction } from '../sim/autoscaler.ts';
import { ScalingLog } from './ScalingLog.tsx';
import { plain } from './test-utils.ts';

const action = (atSeconds: number, from: number, to: number, extra: Partial<ScalingAction> = {}): ScalingAction => ({
  atSeconds,
  service: 'kinesis',
  resource: 'ingest',
  from,
  to,
  reason: `PUT Records above 75% at ${atSeconds}s`,
  ...extra,
});

test('the latest actions, newest last, with reasons; refusals marked', () => {
  const actions = [action(840, 4, 8), action(1140, 8, 16), action(1200, 16, 8, { refusal: 'ResourceInUseException' })];
  const lines = plain(render(<ScalingLog actions={actions} lines={2} width={100} />).lastFrame()).split('\n');
  expect(lines).toEqual([
    'Scaling actions 3 so far, latest 2',
    '     19m  kinesis ingest 8 → 16  PUT Records above 75% at 1140s',
    '     20m  kinesis ingest 16 → 8 REFUSED (ResourceInUseException)  PUT Records above 75% at 1200s',
  ]);
});

test('keeps its height when there are no actions yet', () => {
  const lines = plain(render(<ScalingLog actions={[]} lines={3} width={80} />).lastFrame()).split('\n');
  expect(lines).toHaveLength(4);
  expect(lines[1]).toContain('none yet');
});
