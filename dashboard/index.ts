/** The live dashboard: the container, its run sources (the simulator's, and a real run's on the embedded pipeline) and their pieces. */
export { Dashboard, type DashboardProps } from './Dashboard.tsx';
export { DashboardLayout, type DashboardLayoutProps } from './DashboardLayout.tsx';
export { layoutFor, MIN_COLUMNS, MIN_ROWS, type Layout } from './layout.ts';
export { SimRunSource, MIN_SPEED, MAX_SPEED, type SimRunSourceOptions } from './sim-run-source.ts';
export { PipelineRunSource, type PipelineRunSourceOptions } from './pipeline-run-source.ts';
export type { ExpectationView, RealRunInfo, RunOutcome, RunRates, RunSeries, RunSnapshot, RunSource } from './run-source.ts';
export { ManualClock, wallClock, type FrameClock } from './frame-clock.ts';
export { plainProgress, type PlainProgress } from './plain-progress.ts';
export { judgeExpectations, summarySoFar } from './live-expectations.ts';
