import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadScenario, resolveScenarioPath } from '../scenarios/load.ts';
import { scenario } from '../test/builders.ts';
import { exportK6Script, groupStages, thresholdsOf } from './k6-export.ts';
import { PayloadFactory } from './payload.ts';
import { scenarioTenantIds } from './schedule.ts';
import { startStandInThread, type StandInThread } from './test-support/stand-in-thread.ts';

const group = (g: Record<string, unknown>, duration = '60s') => {
  const s = scenario({ duration, tenants: [{ name: 'g', ...g }] });
  return { g: s.tenants[0]!, duration: s.duration };
};
const dir = mkdtempSync(join(tmpdir(), 'ingestlab-k6-'));
let standIn: StandInThread | undefined;
afterAll(async () => {
  await standIn?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('k6 stages from the simulator rate function', () => {
  it('a constant rate is one stage: 3 tenants × 10 events/s = 1,800 requests a minute', () => {
    const { g, duration } = group({ count: 3, rate: 10 });
    expect(groupStages(g, duration)).toEqual({ startRate: 1800, stages: [{ duration: '60000ms', target: 1800 }], peakPerSecond: 30 });
  });

  it('a linear stage is a k6 ramp, then the held target; batches divide the request rate', () => {
    // 0 → 100 events/s over 10 s in batches of 2: 0 → 50 requests/s = 3,000 a minute, held for the next 10 s.
    const { g, duration } = group({ rate: 0, stages: [{ duration: '10s', target: 100 }], batchSize: 2 }, '20s');
    expect(groupStages(g, duration).stages).toEqual([
      { duration: '10000ms', target: 3000 },
      { duration: '10000ms', target: 3000 },
    ]);
  });

  it('a burst is a jump (0 s stage) up and back', () => {
    const { g, duration } = group({ rate: 10, bursts: [{ at: '5s', duration: '2s', multiplier: 3 }] }, '10s');
    expect(groupStages(g, duration)).toMatchObject({
      startRate: 600,
      stages: [
        { duration: '5000ms', target: 600 },
        { duration: '0ms', target: 1800 },
        { duration: '2000ms', target: 1800 },
        { duration: '0ms', target: 600 },
        { duration: '3000ms', target: 600 },
      ],
    });
  });

  it('compressed time shortens stages by K and keeps the wall rate (sample 1/K)', () => {
    const { g, duration } = group({ count: 3, rate: 10 });
    expect(groupStages(g, duration, { timeScale: 10 }).stages).toEqual([{ duration: '6000ms', target: 1800 }]);
    expect(groupStages(g, duration, { timeScale: 10, sample: 1 }).stages).toEqual([{ duration: '6000ms', target: 18000 }]);
  });
});

describe('k6 thresholds from expect:', () => {
  it('maps ingest latency and rejected/dropped events, and lists the rest', () => {
    const s = scenario({
      duration: '1m',
      tenants: [{ name: 'a', rate: 1 }],
      expect: { 'ingestLatencyMs.p99': '< 300', 'events.rejected': '== 0', 'events.dropped': 'rate < 0.3', 'kinesis.throttledRecords': '== 0' },
    });
    expect(thresholdsOf(s.expect, 1)).toEqual({
      thresholds: { http_req_duration: ['p(99)<300'], ingest_events_rejected: ['count==0'], ingest_events_dropped_rate: ['rate<0.3'] },
      unmapped: ['kinesis.throttledRecords: "== 0"'],
    });
    // With each event standing for 20, a count of 1,000 scenario events is 50 sent ones.
    const t = thresholdsOf(scenario({ duration: '1m', tenants: [{ name: 'a', rate: 1 }], expect: { 'events.dropped': '< 1000' } }).expect, 20);
    expect(t.thresholds).toEqual({ ingest_events_dropped: ['count<50'] });
  });
});

describe('the exported script', () => {
  it('type-checks with @types/k6 for every bundled scenario shape (burst-spike, steady, a trace)', async () => {
    const files: string[] = [];
    for (const name of ['burst-spike', 'steady', 'trace-day']) {
      const { scenario: s } = await loadScenario(resolveScenarioPath(name));
      const file = join(dir, `${name}.ts`);
      writeFileSync(file, exportK6Script(s, { generatedOn: '2026-01-01' }));
      files.push(file);
    }
    const tsc = join(process.cwd(), 'node_modules', '.bin', 'tsc');
    const args = ['--ignoreConfig', '--noEmit', '--strict', '--noUncheckedIndexedAccess', '--target', 'es2022', '--module', 'esnext', '--moduleResolution', 'bundler', '--skipLibCheck', '--typeRoots', join(process.cwd(), 'node_modules', '@types'), '--types', 'k6', ...files];
    let output = '';
    try {
      execFileSync(tsc, args, { encoding: 'utf8' });
    } catch (error) {
      output = String((error as { stdout?: string }).stdout ?? error);
    }
    expect(output).toBe('');
  });

  it('sends the load generator’s payloads with each tenant’s key, and retries a 429 as the producer section says', async () => {
    const s = scenario({
      duration: '10s',
      seed: 9,
      tenants: [{ name: 'k', count: 2, rate: 5, batchSize: 3, eventBytes: { dist: 'lognormal', mean: 400, sd: 150 } }],
      producer: { maxRetries: 2, backoffBaseMs: 1, backoffMaxMs: 2 },
    });
    const ids = scenarioTenantIds(s);
    standIn = await startStandInThread({ keys: Object.fromEntries(ids.map((id) => [`key-${id}`, id])), throttleFirstAttempt: true });
    const keysFile = join(dir, 'keys.json');
    writeFileSync(keysFile, JSON.stringify({ apiUrl: standIn.url, tenants: ids.map((id) => ({ id, apiKey: `key-${id}` })) }));
    // The script imports k6 modules; the test points them at stand-ins (loadgen/test-support/k6/).
    const standIns = (m: string) => pathToFileURL(join(process.cwd(), 'loadgen', 'test-support', 'k6', `${m}.ts`)).href;
    const text = exportK6Script(s)
      .replace("from 'k6/http'", `from '${standIns('http')}'`)
      .replace("from 'k6/execution'", `from '${standIns('execution')}'`)
      .replace("from 'k6/metrics'", `from '${standIns('metrics')}'`)
      .replace("from 'k6'", `from '${standIns('k6')}'`);
    const file = join(dir, 'script.ts');
    writeFileSync(file, text);
    Object.assign(globalThis, { __ENV: { KEYS_FILE: keysFile }, open: (p: string) => (require('node:fs') as typeof import('node:fs')).readFileSync(p, 'utf8') });
    const script = await import(pathToFileURL(file).href);
    const { samples } = await import(standIns('metrics'));
    const data = script.setup();
    // Iterations 0..3: tenants k-1, k-2, k-1, k-2 with sequence numbers 0, 0, 3, 3.
    const statuses = [0, 1, 2, 3].map((i) => script.send(0, data, i));
    expect(statuses).toEqual([202, 202, 202, 202]);
    const { received, answered } = await standIn.received();
    expect(answered).toEqual([429, 202, 429, 202, 429, 202, 429, 202]);
    const accepted = received.filter((_, i) => i % 2 === 1);
    expect(accepted.map((r) => r.tenantId)).toEqual(['k-1', 'k-2', 'k-1', 'k-2']);
    expect(accepted.map((r) => r.headers['x-api-key'])).toEqual(['key-k-1', 'key-k-2', 'key-k-1', 'key-k-2']);
    expect(accepted.map((r) => r.headers['x-ingestlab-attempt'])).toEqual(['1', '1', '1', '1']);
    // Byte for byte the load generator's events for the same tenant, sequence and timestamp.
    const payloads = new PayloadFactory(s.tenants, ids, { seed: 9, startEpochMs: 0 });
    accepted.forEach((r, i) => {
      const tenant = i % 2;
      const firstSeq = Math.floor(i / 2) * 3;
      expect(r.events).toHaveLength(3);
      r.events.forEach((e, k) => expect(JSON.stringify(e)).toBe(payloads.event(0, tenant, firstSeq + k, e.timestamp as number)));
    });
    expect(samples.ingest_events_accepted).toEqual([3, 3, 3, 3]);
    expect(samples.ingest_events_rejected).toEqual([]);
  });
});
