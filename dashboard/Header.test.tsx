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

test('a real run says so, with its compression and sampling, and keeps its state on the line when the label is long', () => {
  const real = { target: 'embedded', timeScale: 20, sample: 0.05, phase: 'load', stopping: false };
  const wide = plain(render(<Header {...base} width={120} speed={20} real={real} time={898} />).lastFrame());
  expect(wide).toMatch(/^burst-spike \(real run on embedded, compressed ×20, sampled 0\.05\) {2}14m58s \/ 40m █+░+ {2}37% {2}ETA 3s {2}running$/);
  const narrow = plain(render(<Header {...base} speed={20} real={real} time={898} />).lastFrame());
  // At 80 columns the short label and the ETA would leave no room for the bar: the ETA goes, the state stays.
  expect(narrow).toMatch(/^burst-spike \(real: embedded ×20, sample 0\.05\) {2}14m58s \/ 40m █+░* {2}37% {2}running$/);
  expect(narrow.length).toBeLessThanOrEqual(80);
  const uncompressed = { ...real, timeScale: 1, sample: 1 };
  expect(plain(render(<Header {...base} speed={null} real={uncompressed} />).lastFrame())).toMatch(/^burst-spike \(real run on embedded\) {2}10m \/ 40m .* {2}25% {2}ETA 3s {2}running$/);
  expect(plain(render(<Header {...base} real={{ ...real, phase: 'provisioning' }} />).lastFrame())).toMatch(/starting$/);
  expect(plain(render(<Header {...base} real={{ ...real, phase: 'drain' }} />).lastFrame())).toMatch(/draining$/);
  expect(plain(render(<Header {...base} real={{ ...real, stopping: true }} />).lastFrame())).toMatch(/stopping$/);
});
