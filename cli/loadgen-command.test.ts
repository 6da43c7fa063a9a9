/** `ingestlab loadgen` end to end: the real CLI process against the ingest API stand-in on 127.0.0.1. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIngestStandIn, type StandIn } from '../loadgen/test-support/ingest-stand-in.ts';
import { runCli } from '../test/cli-process.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dir = mkdtempSync(join(tmpdir(), 'ingestlab-loadgen-'));
let server: StandIn;

const cli = (...args: string[]) => runCli(args, { timeout: 30_000 });

beforeAll(async () => {
  server = await startIngestStandIn({ keys: { 'key-a-1': 'a-1', 'key-a-2': 'a-2' } });
  writeFileSync(join(dir, 'keys.json'), JSON.stringify({ apiUrl: server.url, tenants: [{ id: 'a-1', apiKey: 'key-a-1' }, { id: 'a-2', apiKey: 'key-a-2' }] }));
  writeFileSync(join(dir, 'bad-keys.json'), JSON.stringify({ tenants: [{ id: 'a-1' }] }));
  // 2 tenants × 10 events/s × 2 s in batches of 2: 40 events in 20 requests.
  writeFileSync(join(dir, 'small.yaml'), 'name: small\nduration: 2s\ntenants:\n  - { name: a, count: 2, rate: 10, noise: none, batchSize: 2 }\n');
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('npm run loadgen', () => {
  it('drives a scenario file into the API named by the keys file and reports in JSON', async () => {
    const run = await cli('loadgen', join(dir, 'small.yaml'), '--keys-file', join(dir, 'keys.json'), '--json');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({ scenario: 'small', scheduled: { requests: 20, events: 40 }, sent: { requests: 20, events: 40, retries: 0 }, statuses: { 202: 20 } });
    expect(report.events.accepted).toBe(40);
    expect(Object.keys(report.latencyMs)).toEqual(['p50', 'p95', 'p99', 'max']);
    expect(server.received.filter((r) => r.tenantId === 'a-2')).toHaveLength(10);
  });

  it('reads the keys file `pipeline up` writes by default', async () => {
    // Read from the source: importing pipeline-command.ts loads the AWS SDK, seconds for one string.
    const source = readFileSync(join(ROOT, 'cli', 'pipeline-command.ts'), 'utf8');
    const dir = /PIPELINE_DIR = '([^']+)'/.exec(source)?.[1];
    expect(source).toContain('DEFAULT_KEYS_FILE = `${PIPELINE_DIR}/keys.json`');
    const { DEFAULT_KEYS_FILE } = await import('./loadgen-command.ts');
    expect(DEFAULT_KEYS_FILE).toBe(`${dir}/keys.json`);
  });

  it('says what is wrong with a keys file and exits 2', async () => {
    const run = await cli('loadgen', join(dir, 'small.yaml'), '--keys-file', join(dir, 'bad-keys.json'));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('tenants[0].apiKey: expected a non-empty string');
  });

  it('export-k6 prints a k6 script with one scenario per tenant group', async () => {
    const run = await cli('loadgen', 'export-k6', join(dir, 'small.yaml'));
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("import http from 'k6/http';");
    // 2 × 10 events/s in batches of 2 = 10 requests/s = 600 a minute for 2 s.
    expect(run.stdout).toMatch(/executor: "ramping-arrival-rate"[\s\S]*startRate: 600,[\s\S]*\{ duration: "2000ms", target: 600 \}/);
  });
});
