/**
 * Request weights: one sent event may stand for N scenario events (design.md, "One model, two clocks"). The run sets a
 * default; a client may set its own per request with `x-ingestlab-weight` (emulators ignore unknown headers).
 */
import type { EdgeRequest } from '../edge/edge-types.ts';

export const WEIGHT_HEADER = 'x-ingestlab-weight';

/** The weight of every record in `req`: the header's if it is a positive finite number, else `fallback`. */
export function requestWeight(req: EdgeRequest, fallback: number): number {
  const raw = req.headers[WEIGHT_HEADER];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

export function checkWeight(weight: number): number {
  if (!(weight > 0) || !Number.isFinite(weight)) throw new RangeError(`weight must be a positive number, got ${weight}`);
  return weight;
}

/**
 * Requests carrying this header pass the gateway unmetered: not counted, throttled, faulted or published. The audit
 * sets it (unmetered-command.ts): reading back every stored event is ingestlab's bookkeeping, not the scenario's
 * workload, and at a weight of 50 it would otherwise spend scenario hours of read quota.
 */
export const UNMETERED_HEADER = 'x-ingestlab-unmetered';

export function isUnmetered(req: EdgeRequest): boolean {
  return req.headers[UNMETERED_HEADER] !== undefined;
}
