import { render } from 'ink-testing-library';
import { expect, test } from 'vitest';
import { DashboardLayout } from './DashboardLayout.tsx';
import { layoutFor } from './layout.ts';
import { plain, snapshotFixture } from './test-utils.ts';

const frameAt = (columns: number, rows: number, snapshot = snapshotFixture()) =>
  plain(render(<DashboardLayout snapshot={snapshot} layout={layoutFor(columns, rows)} color={false} />).lastFrame()).split('\n');

test.each([
  [80, 24],
  [100, 30],
  [132, 43],
])('at %i×%i every panel is there and the frame is one line shorter than the terminal', (columns, rows) => {
  const lines = frameAt(columns, rows);
  expect(lines.length).toBe(rows - 1);
  for (const line of lines) expect(line.length).toBeLessThanOrEqual(columns);
  const frame = lines.join('\n');
  for (const panel of ['Kinesis · 8 shards → 16', 'DynamoDB · 4,500 WCU', 'Throttles/s', 'Iterator age', 'Firehose', 'Events', 'Cost', 'Scaling actions', 'Expect', 'q quit']) {
    expect(frame).toContain(panel);
  }
  expect(frame).toMatch(/offered\s+3,600,000/);
  expect(frame).toMatch(/dropped\s+500,000/);
  expect(frame).toContain('$1.23 so far · $0.411/M events');
  expect(frame).toContain('✗ events.dropped == 0 (500k)');
});

test('on-demand capacity is labelled as such', () => {
  const frame = frameAt(80, 24, snapshotFixture({ kinesis: { shards: 4, reshardingTo: null, mode: 'on-demand' }, dynamodb: { table: 't', wcu: 4000, mode: 'on-demand' } })).join('\n');
  expect(frame).toContain('Kinesis · on-demand, ~4 shards');
  expect(frame).toContain('DynamoDB · on-demand');
});
