/** The load generator's public API (docs/loadgen.md). */
export { ScheduleCursor, scheduleShape, scheduleTotals, scenarioTenantIds } from './schedule.ts';
export type { ScheduledRequest, ScheduleOptions, ScheduleShape, ScheduleTotals } from './schedule.ts';
export { PayloadFactory, quantileSizes } from './payload.ts';
export { assignCredentials, parseKeysFile, readKeysFile } from './keys.ts';
export type { KeysFile, TenantCredential } from './keys.ts';
export { HEADERS, defaultConnections, runLoad } from './driver.ts';
export type { LoadOptions, LoadProgress, LoadReport, LoadResult, RetryPolicy } from './driver.ts';
export { runLoadOnWorkers } from './workers.ts';
export { loadReport, mergeLoadResults, percentilesMs } from './result.ts';
export { loadReportText } from './report-text.ts';
export { progressBar, progressLine } from './progress.ts';
export { exportK6Script, groupStages, thresholdsOf } from './k6-export.ts';
export { runOnEmbedded } from './target-run.ts';
export type { TargetRunOptions, TargetRunResult } from './target-run.ts';
export { fidelityOf, fidelityText } from './fidelity.ts';
export type { Fidelity, FidelityRow } from './fidelity.ts';
