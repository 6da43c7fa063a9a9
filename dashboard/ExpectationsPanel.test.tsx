import { render } from 'ink-testing-library';
import { expect, test } from 'vitest';
import { ExpectationsPanel } from './ExpectationsPanel.tsx';
import { plain } from './test-utils.ts';

test('broken expectations first, then those that hold, then pending ones', () => {
  const frame = plain(
    render(
      <ExpectationsPanel
        width={100}
        lines={1}
        expectations={[
          { label: 'latencyMs.p99 < 5000', status: 'ok', detail: '820' },
          { label: 'events.stored > 1e9', status: 'pending' },
          { label: 'events.dropped == 0', status: 'broken', detail: '12k' },
        ]}
      />,
    ).lastFrame(),
  );
  expect(frame.trimEnd()).toBe('Expect  ✗ events.dropped == 0 (12k)  ✓ latencyMs.p99 < 5000 (820)  · events.stored > 1e9');
});

test('wraps into the lines it has and counts what does not fit', () => {
  const many = Array.from({ length: 12 }, (_, i) => ({ label: `events.dropped < ${i * 1000}`, status: 'ok' as const }));
  const lines = plain(render(<ExpectationsPanel width={80} lines={2} expectations={many} />).lastFrame()).split('\n');
  expect(lines).toHaveLength(2);
  expect(lines[1]).toMatch(/\+\d+ more$/);
  for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
});

test('says so when the scenario has none', () => {
  expect(plain(render(<ExpectationsPanel width={80} lines={1} expectations={[]} />).lastFrame())).toBe('Expect  none in this scenario');
});
