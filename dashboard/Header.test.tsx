import { render } from 'ink-testing-library';
import { expect, test } from 'vitest';
import { Header, type HeaderProps } from './Header.tsx';
import { plain } from './test-utils.ts';

const base: HeaderProps = { scenario: 'burst-spike', target: 'sim', time: 600, duration: 2400, draining: false, done: false, paused: false, speed: 600, etaSeconds: 3, width: 80 };

test('shows simulated time of the duration, progress, ETA, speed and state in one line of the width', () => {
  const frame = plain(render(<Header {...base} />).lastFrame());
  expect(frame).toMatch(/^burst-spike \(sim\) {2}10m \/ 40m █+░+ {2}25% {2}ETA 3s {2}×600 {2}running$/);
  expect(frame.length).toBe(80);
});

test('paused, draining and done', () => {
  expect(plain(render(<Header {...base} paused etaSeconds={null} />).lastFrame())).toMatch(/ETA – {2}×600 {2}PAUSED$/);
  expect(plain(render(<Header {...base} time={2460} draining />).lastFrame())).toContain('40m / 40m +1m drain');
  expect(plain(render(<Header {...base} time={2500} done />).lastFrame())).toMatch(/100% {2}×600 {2}done$/);
});

test('a run at wall-clock pace has no speed', () => {
  expect(plain(render(<Header {...base} speed={null} />).lastFrame())).toContain('real time');
});
