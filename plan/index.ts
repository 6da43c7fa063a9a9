/**
 * Planning: the search for the best configuration whose expectations all pass (docs/plan.md). The search is pure
 * (search.ts, space.ts, best-yaml.ts); the runner starts worker threads (runner.ts, worker.ts).
 */
export { bestYaml, type BestYamlInput } from './best-yaml.ts';
export { createPlanRunner, type PlanRunner, type RunnerOptions } from './runner.ts';
export {
  costPerMillionDelivered,
  explainNoPass,
  failingEverywhere,
  missOf,
  paretoFrontier,
  passes,
  planChecks,
  planSchedule,
  PlanBudgetError,
  promotionOrder,
  rankPassing,
  resolutionLadder,
  searchPlan,
  type Evaluate,
  type NoPassExplanation,
  type Objective,
  type PlanCheck,
  type PlanOutcome,
  type PlanSample,
  type RoundReport,
  type Rung,
  type RunFigures,
  type Schedule,
  type SearchSettings,
} from './search.ts';
export { expandSpace, MAX_SPACE, parseVary, PlanSyntaxError, pointLabel, type Dimension, type PlanPoint } from './space.ts';
