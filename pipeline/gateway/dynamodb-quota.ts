/**
 * DynamoDB capacity in front of dynalite, which enforces none (emulators-and-peers.md): each table gets the simulator's
 * DynamoDbModel (provisioned capacity per second of scenario time, then burst credits of up to 300 s of unused capacity,
 * §3.2; on-demand's 2× previous peak, §3.6; UpdateTable's UPDATING time and decrease quota, §3.4). Writes cost
 * ceil(item bytes / 1 KB) WCU each (§3.1, `dynamoWriteUnits`). A throttled PutItem/UpdateItem/DeleteItem is a 400
 * ProvisionedThroughputExceededException; BatchWriteItem returns the throttled items in UnprocessedItems, or the 400 if
 * none could be written (§3.3). UpdateTable answers UPDATING at once and reaches dynalite after the model's delay.
 * Not enforced: reads (the simulator models none), per-partition limits, the account-wide WCU across tables.
 */
import { DynamoDbModel, type DynamoDbConfig } from '../../sim/dynamodb.ts';
import { dynamoWriteUnits } from '../../sim/pricing/usage.ts';
import { awsJsonError, jsonResponse, type EdgeBackend, type EdgeMiddleware, type EdgeRequest, type EdgeResponse } from '../edge/edge-types.ts';
import { callJson, parseJson, withBody } from './backend-call.ts';
import { itemBytes } from './item-size.ts';
import type { MetricsStore } from './metrics-store.ts';
import type { ScenarioClock } from './scenario-clock.ts';
import { requestWeight } from './weights.ts';

const NS = 'AWS/DynamoDB';
const JSON_10 = 'application/x-amz-json-1.0';
const THROTTLED = 'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.';

interface TableState {
  readonly name: string;
  readonly model: DynamoDbModel;
  /** The model's own name for its first-period table, which stands for this real table. */
  readonly modelTable: string;
  /** Scenario time of the model's t = 0 (when the gateway first saw the table). */
  readonly origin: number;
  pending: { request: EdgeRequest; doneAt: number } | undefined;
}

export interface DynamoDbCounters {
  acceptedItems: number;
  throttledItems: number;
  throttledRequests: number;
  consumedWcu: number;
  tableUpdates: number;
  refusedTableUpdates: number;
}

export interface DynamoDbQuota {
  middleware: EdgeMiddleware;
  counters: DynamoDbCounters;
  /** Forwards table updates whose delay has passed (a timer calls it; tests with a manual clock call it). */
  poll(): Promise<void>;
  /** The model's view of a table (capacity, burst credits, UPDATING), for tests and status. */
  table(name: string): { writeCapacity: number; burstCredits: number; updating: boolean } | undefined;
}

export function createDynamoDbQuota(options: { config: DynamoDbConfig; clock: ScenarioClock; weight: number; metrics: MetricsStore; unweightedTables?: readonly string[] }): DynamoDbQuota {
  const { config, clock, metrics } = options;
  const unweighted = new Set(options.unweightedTables ?? []);
  /** The weight of a write to `table`: the request's, or 1 for a table that is not the scenario's (unweightedTables). */
  const weightFor = (req: EdgeRequest, table: string) => requestWeight(req, unweighted.has(table) ? 1 : options.weight);
  const tables = new Map<string, TableState>();
  const loading = new Map<string, Promise<TableState | undefined>>();
  const counters: DynamoDbCounters = { acceptedItems: 0, throttledItems: 0, throttledRequests: 0, consumedWcu: 0, tableUpdates: 0, refusedTableUpdates: 0 };
  let lastNext: EdgeBackend | undefined;
  let polling: Promise<void> | undefined;

  function track(name: string, onDemand: boolean, wcu: number): TableState {
    // A week-long first period from the model's default Monday start: the real table stays the model's first table
    // for 6 days of scenario time (then the model would open its next period's table with fresh credits).
    const model = new DynamoDbModel(
      {
        ...config,
        mode: onDemand ? 'on-demand' : 'provisioned',
        tablePer: 'week',
        writeCapacity: Math.min(Math.max(1, Math.round(wcu)), config.maxTableWcu),
        autoscaling: 'none',
        existingTables: 0,
      },
      { startEpochSeconds: Date.parse('2026-01-05T00:00:00Z') / 1000 },
    );
    const state: TableState = { name, model, modelTable: model.tables()[0]!.name, origin: clock.now(), pending: undefined };
    tables.set(name, state);
    return state;
  }

  async function table(name: string, like: EdgeRequest, next: EdgeBackend): Promise<TableState | undefined> {
    const known = tables.get(name);
    if (known) return known;
    let p = loading.get(name);
    if (!p) {
      p = (async () => {
        const d = await callJson(next, like, 'dynamodb', 'DescribeTable', { TableName: name });
        if (d.status !== 200) return undefined;
        const t = d.body.Table;
        const onDemand = t.BillingModeSummary?.BillingMode === 'PAY_PER_REQUEST';
        return tables.get(name) ?? track(name, onDemand, t.ProvisionedThroughput?.WriteCapacityUnits ?? 1);
      })().finally(() => loading.delete(name));
      loading.set(name, p);
    }
    return p;
  }

  const modelNow = (t: TableState) => Math.floor(clock.now() - t.origin);

  /** One indivisible item of `wcu` standing for `weight` items, in the current second: written only if all of it fits. */
  function admit(t: TableState, wcu: number, weight: number): boolean {
    const now = modelNow(t);
    const ok = t.model.writableUnits(now, 1) >= wcu * weight - 1e-9;
    if (ok) t.model.write(now, 1, weight, wcu);
    for (const c of t.model.drainCounters()) {
      if (c.table !== t.modelTable) continue;
      counters.consumedWcu += c.consumedWcu;
      metrics.add(NS, 'ConsumedWriteCapacityUnits', { TableName: t.name }, c.consumedWcu);
    }
    const view = t.model.tables().find((x) => x.name === t.modelTable);
    if (view && t.model.config.mode === 'provisioned') metrics.add(NS, 'ProvisionedWriteCapacityUnits', { TableName: t.name }, view.writeCapacity);
    if (ok) counters.acceptedItems += weight;
    else {
      counters.throttledItems += weight;
      metrics.add(NS, 'WriteThrottleEvents', { TableName: t.name }, weight);
    }
    return ok;
  }

  function throttledRequest(t: TableState, operation: string): void {
    counters.throttledRequests++;
    metrics.add(NS, 'ThrottledRequests', { TableName: t.name, Operation: operation }, 1);
  }

  async function singleWrite(req: EdgeRequest, next: EdgeBackend): Promise<EdgeResponse> {
    const body = parseJson(req.body);
    const t = typeof body?.TableName === 'string' ? await table(body.TableName, req, next) : undefined;
    if (!t) return next(req);
    // PutItem's size is the new item's; UpdateItem and DeleteItem depend on the stored item, counted as 1 KB.
    const wcu = req.operation === 'PutItem' ? dynamoWriteUnits(itemBytes(body.Item)) : 1;
    if (!admit(t, wcu, weightFor(req, t.name))) {
      throttledRequest(t, req.operation);
      return awsJsonError(400, 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException', THROTTLED, JSON_10);
    }
    return next(req);
  }

  async function batchWrite(req: EdgeRequest, next: EdgeBackend): Promise<EdgeResponse> {
    const body = parseJson(req.body);
    if (!body?.RequestItems || typeof body.RequestItems !== 'object') return next(req);
    const passed: Record<string, unknown[]> = {};
    const unprocessed: Record<string, unknown[]> = {};
    let total = 0;
    let refused = 0;
    for (const [name, items] of Object.entries(body.RequestItems as Record<string, any[]>)) {
      const t = await table(name, req, next);
      if (!t) return next(req);
      const weight = weightFor(req, name);
      let throttledHere = false;
      for (const item of items) {
        total++;
        const wcu = item.PutRequest ? dynamoWriteUnits(itemBytes(item.PutRequest.Item)) : 1;
        if (admit(t, wcu, weight)) (passed[name] ??= []).push(item);
        else {
          (unprocessed[name] ??= []).push(item);
          refused++;
          throttledHere = true;
        }
      }
      if (throttledHere) throttledRequest(t, 'BatchWriteItem');
    }
    if (refused === 0) return next(req);
    if (refused === total) return awsJsonError(400, 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException', THROTTLED, JSON_10);
    const res = await next(withBody(req, { ...body, RequestItems: passed }));
    if (res.status !== 200) return res;
    const out = parseJson(res.body) ?? {};
    const merged: Record<string, unknown[]> = { ...(out.UnprocessedItems ?? {}) };
    for (const [name, items] of Object.entries(unprocessed)) merged[name] = [...(merged[name] ?? []), ...items];
    return jsonResponse(200, { ...out, UnprocessedItems: merged }, JSON_10);
  }

  async function createTable(req: EdgeRequest, next: EdgeBackend): Promise<EdgeResponse> {
    const body = parseJson(req.body);
    const wcu = body?.ProvisionedThroughput?.WriteCapacityUnits;
    if (body?.BillingMode !== 'PAY_PER_REQUEST' && typeof wcu === 'number' && wcu > config.maxTableWcu) {
      return awsJsonError(400, 'com.amazonaws.dynamodb.v20120810#LimitExceededException', `${wcu} WCU is above the per-table maximum of ${config.maxTableWcu}`, JSON_10);
    }
    const res = await next(req);
    if (res.status === 200 && typeof body?.TableName === 'string') track(body.TableName, body.BillingMode === 'PAY_PER_REQUEST', wcu ?? 1);
    return res;
  }

  async function updateTable(req: EdgeRequest, next: EdgeBackend): Promise<EdgeResponse> {
    const body = parseJson(req.body);
    const wcu = body?.ProvisionedThroughput?.WriteCapacityUnits;
    const t = typeof body?.TableName === 'string' ? await table(body.TableName, req, next) : undefined;
    if (!t || typeof wcu !== 'number' || body.BillingMode !== undefined) return next(req);
    const result = t.model.requestCapacity(modelNow(t), t.modelTable, wcu);
    if (!result.applied) {
      counters.refusedTableUpdates++;
      const [type, ...rest] = (result.refusal ?? 'ValidationException: refused').split(': ');
      return awsJsonError(400, `com.amazonaws.dynamodb.v20120810#${type}`, rest.join(': '), JSON_10);
    }
    t.pending = { request: req, doneAt: clock.now() + config.updateSeconds };
    if (config.updateSeconds === 0) await completeDue(next);
    const d = await callJson(next, req, 'dynamodb', 'DescribeTable', { TableName: t.name });
    const description = d.body?.Table ?? { TableName: t.name };
    if (t.pending) description.TableStatus = 'UPDATING';
    return jsonResponse(200, { TableDescription: description }, JSON_10);
  }

  async function completeDue(next: EdgeBackend): Promise<void> {
    for (const t of tables.values()) {
      const p = t.pending;
      if (!p || clock.now() < p.doneAt) continue;
      t.pending = undefined;
      const res = await next(p.request);
      if (res.status !== 200) continue;
      counters.tableUpdates++;
      // dynalite applies an update on a timer of its own, even at updateTableMs 0: the update is done when the emulator
      // says ACTIVE, so that a DescribeTable after poll() never sees the old capacity.
      for (let tries = 0; tries < 100; tries++) {
        const d = await callJson(next, p.request, 'dynamodb', 'DescribeTable', { TableName: t.name });
        if (d.status !== 200 || d.body?.Table?.TableStatus !== 'UPDATING') break;
        await new Promise((r) => setTimeout(r, 5));
      }
    }
  }

  async function describeTable(req: EdgeRequest, next: EdgeBackend): Promise<EdgeResponse> {
    const res = await next(req);
    const name = parseJson(req.body)?.TableName;
    const t = typeof name === 'string' ? tables.get(name) : undefined;
    if (res.status !== 200 || !t?.pending) return res;
    const out = parseJson(res.body);
    if (out?.Table) out.Table.TableStatus = 'UPDATING';
    return jsonResponse(200, out, JSON_10);
  }

  const middleware: EdgeMiddleware = async (req, next) => {
    if (req.service !== 'dynamodb') return next(req);
    lastNext = next;
    switch (req.operation) {
      case 'PutItem':
      case 'UpdateItem':
      case 'DeleteItem':
        return singleWrite(req, next);
      case 'BatchWriteItem':
        return batchWrite(req, next);
      case 'CreateTable':
        return createTable(req, next);
      case 'UpdateTable':
        return updateTable(req, next);
      case 'DescribeTable':
        return describeTable(req, next);
      case 'DeleteTable': {
        const res = await next(req);
        const name = parseJson(req.body)?.TableName;
        if (res.status === 200 && typeof name === 'string') tables.delete(name);
        return res;
      }
      default:
        return next(req);
    }
  };

  return {
    middleware,
    counters,
    poll() {
      if (!lastNext) return Promise.resolve();
      polling ??= completeDue(lastNext).finally(() => (polling = undefined));
      return polling;
    },
    table(name) {
      const t = tables.get(name);
      if (!t) return undefined;
      t.model.advance(modelNow(t));
      const view = t.model.tables().find((x) => x.name === t.modelTable);
      return view ? { writeCapacity: view.writeCapacity, burstCredits: view.burstCredits, updating: view.updating } : undefined;
    },
  };
}
