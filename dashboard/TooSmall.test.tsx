import { render } from 'ink-testing-library';
import { expect, test } from 'vitest';
import { Dashboard } from './Dashboard.tsx';
import { TooSmall } from './TooSmall.tsx';
import { burstRun, plain, settle, snapshotFixture } from './test-utils.ts';

test('at 60×20 the frame fits (no line over 60 columns, fewer than 20 lines) and says it needs 80×24', () => {
  const frame = plain(render(<TooSmall snapshot={snapshotFixture()} columns={60} rows={20} />).lastFrame());
  const lines = frame.split('\n');
  expect(lines.length).toBeLessThan(20);
  for (const line of lines) expect(line.length).toBeLessThanOrEqual(60);
  expect(lines[0]).toMatch(/^burst-spike \(sim\) {2}15m \/ 40m/);
  expect(frame.replace(/\n/g, ' ')).toContain('The dashboard needs at least 80×24; this terminal is 60×20.');
});

test('at 30×3 it still fits, in the short form', () => {
  const lines = plain(render(<TooSmall snapshot={snapshotFixture()} columns={30} rows={3} />).lastFrame()).split('\n');
  expect(lines.length).toBeLessThan(3);
  expect(lines[1]).toBe('needs 80×24, is 30×3; q quits');
});

test('the dashboard switches to it below 80×24 and back to the full layout at 80×24', async () => {
  const { source } = await burstRun();
  const small = render(<Dashboard source={source} size={{ columns: 60, rows: 20 }} />);
  await settle();
  expect(plain(small.lastFrame())).toContain('needs at least 80×24');
  small.unmount();
  const full = render(<Dashboard source={source} size={{ columns: 80, rows: 24 }} />);
  await settle();
  expect(plain(full.lastFrame())).not.toContain('needs at least');
  full.unmount();
  source.stop();
});
