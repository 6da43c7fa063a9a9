import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import { runPipelineAudit, runPipelineStatus, runPipelineUp } from './pipeline-command.ts';
import type { RunningPipeline } from '../pipeline/run-pipeline.ts';
import { postEvents, waitFor } from '../test/pipeline-helpers.ts';
import { sortKey, tableNameFor } from '../pipeline/storage/event-tables.ts';

function capture() {
  let text = '';
  const stream = new Writable({ write: (chunk, _enc, done) => ((text += String(chunk)), done()) });
  return { stream, text: () => text };
}

describe('pipeline up, status and audit against the running pipeline', () => {
  it('up writes a 0600 keys file of the documented shape; audit passes, then exits 98 once a stored event is gone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ingestlab-pipeline-'));
    const keysFile = join(dir, 'keys.json');
    const stateFile = join(dir, 'state.json');
    let release!: () => void;
    const until = new Promise<void>((r) => (release = r));
    let pipeline!: RunningPipeline;
    const up = capture();
    const upDone = runPipelineUp(
      { scenario: 'steady', keysFile, stateFile, maxTenants: 5 },
      { out: up.stream, err: capture().stream, until, onUp: (p) => (pipeline = p) },
    );
    await waitFor('pipeline up', () => pipeline !== undefined, 30_000);
    try {
      expect(statSync(keysFile).mode & 0o777).toBe(0o600);
      const keys = JSON.parse(readFileSync(keysFile, 'utf8'));
      expect(Object.keys(keys)).toEqual(['apiUrl', 'edgeUrl', 'tenants']);
      expect(keys.tenants).toHaveLength(5);
      expect(Object.keys(keys.tenants[0])).toEqual(['id', 'apiKey', 'eventsPerSecond']);
      expect(keys.tenants[0]).toMatchObject({ id: 'tenant-1', eventsPerSecond: 5 });
      expect(up.text()).toContain('tenants     5 of the scenario\'s 300');

      const now = Date.now();
      const events = Array.from({ length: 40 }, (_, i) => ({ id: `cli-${i}`, timestamp: now, seq: i }));
      expect(await postEvents(keys.apiUrl, keys.tenants[1], events, 20)).toEqual([202, 202]);
      await waitFor('stored', () => (pipeline.processorCounters()?.stored ?? 0) >= 40);

      const status = capture();
      expect(await runPipelineStatus({ stateFile, json: true }, { out: status.stream, err: capture().stream })).toBe(0);
      expect(JSON.parse(status.text())).toMatchObject({ running: true, stream: { openShards: 4 }, api: { eventsAccepted: 40 } });

      const audit = capture();
      expect(await runPipelineAudit({ stateFile, json: true, settle: '0' }, { out: audit.stream, err: capture().stream })).toBe(0);
      // steady buffers Firehose for 60 s: the 40 events are accounted for as still in its buffer.
      expect(JSON.parse(audit.text())).toMatchObject({ accepted: 40, inKinesis: 40, stored: 40, storedTwice: 0, firehoseBuffered: 40, ok: true });

      // An accepted event disappears from its table: the audit names the loss and exits 98.
      await pipeline.aws.dynamodb.send(new DeleteItemCommand({ TableName: tableNameFor(now, 'week'), Key: { pk: { S: 'tenant-2' }, sk: { S: sortKey({ tenant: 'tenant-2', timestamp: now, id: 'cli-7' }) } } }));
      const lost = capture();
      expect(await runPipelineAudit({ stateFile, settle: '0' }, { out: lost.stream, err: capture().stream })).toBe(98);
      expect(lost.text()).toContain('1 events in Kinesis are neither stored in DynamoDB nor dead-lettered');
      expect(lost.text()).toContain('tenant-2/cli-7 not in DynamoDB');
    } finally {
      release();
      expect(await upDone).toBe(0);
    }
    expect(existsSync(stateFile)).toBe(false);
    expect(up.text()).toContain('stopped. accepted 40, dropped 0');
  }, 60_000);
});
