/**
 * The dashboard on a real run: a tiny scenario on the embedded pipeline (emulators, quota gateway, processor, our
 * Firehose on 127.0.0.1), watched through the pipeline run source. Slow: each run takes 5–10 s of wall time.
 *
 * tiny: 2 tenants × 20 events/s, no noise, one event per request, 1 shard, 5 s: the load generator offers exactly
 * 40 events per scenario second, 200 in all, far below the shard's 1,000 records/s, so nothing is throttled and every
 * event is accepted, stored and delivered.
 */
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, test } from 'vitest';
import { runOnEmbedded } from '../loadgen/target-run.ts';
import { scenario } from '../test/builders.ts';
import { Dashboard } from './Dashboard.tsx';
import { PipelineRunSource } from './pipeline-run-source.ts';
import { plain, settle } from './test-utils.ts';

const tiny = (extra: Record<string, unknown> = {}) =>
  scenario({ name: 'tiny', duration: '5s', seed: 3, tenants: [{ name: 't', count: 2, rate: 20, noise: 'none' }], kinesis: { shards: 1 }, ...extra });

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function mount(source: PipelineRunSource, size = { columns: 100, rows: 30 }) {
  const app = render(<Dashboard source={source} size={size} />);
  cleanups.push(async () => {
    source.abort();
    await source.finished();
    app.unmount();
  });
  return app;
}

const until = async (check: () => boolean, ms: number) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`not reached in ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('the dashboard on a real embedded run', () => {
  test('live counts follow the schedule (40 events per scenario second), then the end frame shows 200 offered, accepted, stored and delivered, and the audit verdict', async () => {
    const source = new PipelineRunSource(tiny());
    const app = mount(source);
    await settle();
    source.start();
    expect(plain(app.lastFrame())).toMatch(/^tiny \(real run on embedded\)\s+0s \/ 5s .* starting/);

    // During the load: the offered count at the frame's instant is what the schedule had sent by then (40 per
    // second, one event per request), give or take the requests of one frame.
    const live: Array<{ time: number; offered: number; frame: string }> = [];
    await until(() => {
      const s = source.snapshot(40);
      if (s.real?.phase === 'load' && s.time > 0.5 && s.time < 4.5) live.push({ time: s.time, offered: s.totals.offered, frame: plain(app.lastFrame()) });
      return source.done;
    }, 45_000);
    expect(live.length).toBeGreaterThan(5);
    for (const { time, offered } of live) {
      expect(offered).toBeGreaterThanOrEqual(Math.floor(40 * time) - 4);
      expect(offered).toBeLessThanOrEqual(Math.ceil(40 * time) + 4);
    }
    const mid = live[Math.floor(live.length / 2)]!.frame;
    expect(mid).toMatch(/running/);
    expect(mid).toContain('Kinesis · 1 shards');
    expect(mid).toMatch(/offered\s+\d+\s+vs capacity 1,000/);
    // Not measured on a real run: DynamoDB's attempted WCU; the chart shows what it consumed.
    expect(mid).toContain("DynamoDB · 100 WCU");
    expect(mid).toMatch(/consumed \d+ · offered not measured/);
    expect(mid).not.toMatch(/audit OK/);

    await settle();
    const end = plain(app.lastFrame());
    expect(end).toMatch(/^tiny \(real run on embedded\)\s+5s \/ 5s/);
    expect(end).toMatch(/done\s*$/m);
    expect(end).toMatch(/offered\s+200\b/);
    expect(end).toMatch(/accepted\s+200\s+100\.0%/);
    expect(end).toMatch(/dropped\s+0\b/);
    expect(end).toMatch(/stored\s+200\s+100\.0%/);
    expect(end).toContain('200 events to S3');
    expect(end).toMatch(/Throttles\/s\s+Kinesis\s+[▁▂▃▄▅▆▇█ ]*\s0\b/);
    expect(end).toContain('offered not measured');
    expect(end).toContain('audit OK: 200 stored, 200 delivered, none lost · q quit and print the summary');

    // The same end state fits the 80×24 floor: at most 23 lines of at most 80 columns.
    const small = render(<Dashboard source={source} size={{ columns: 80, rows: 24 }} />);
    await settle();
    const lines = plain(small.lastFrame()).split('\n');
    small.unmount();
    expect(lines.length).toBeLessThanOrEqual(23);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
    expect(lines.join('\n')).toContain('offered not measured');

    const outcome = source.outcome();
    expect(outcome.partial).toBe(false);
    expect(outcome.summary.events).toMatchObject({ offered: 200, accepted: 200, rejected: 0, dropped: 0, stored: 200, delivered: 200, lost: 0 });
    // The cost so far, priced from the live counters over the whole 5 s, is the summary's cost of the run.
    expect(source.priceSoFar(5)).toBeCloseTo(outcome.summary.cost.totalUsd, 5);
    // The run stopped everything it started: the ingest API no longer answers.
    const api = source.targetResult!.load.url;
    await expect(fetch(`${api}/healthz`)).rejects.toThrow();
  }, 60_000);

  test('q ends the load early: the run drains, audits what was sent (all of it stored) and the outcome is partial', async () => {
    const source = new PipelineRunSource(tiny({ duration: '60s' }));
    const app = mount(source);
    await settle();
    source.start();
    await until(() => source.snapshot(10).totals.offered >= 40, 30_000);
    app.stdin.write('q');
    await settle();
    expect(plain(app.lastFrame())).toMatch(/stopping|draining|auditing/);
    await source.finished();
    await settle();
    const end = plain(app.lastFrame());
    const outcome = source.outcome();
    expect(outcome.partial).toBe(true);
    const e = outcome.summary.events;
    expect(e.offered).toBeGreaterThanOrEqual(40);
    expect(e.offered).toBeLessThan(40 * 60);
    // Every request sent was answered 2xx, except one still in flight at the stop (never answered: counted with the
    // rejected, though its event may be stored); nothing is lost.
    expect(e).toMatchObject({ dropped: 0, lost: 0, delivered: e.stored });
    expect(e.offered).toBe(e.accepted + e.rejected);
    expect(e.rejected).toBeLessThanOrEqual(2);
    expect(e.stored).toBeGreaterThanOrEqual(e.accepted);
    expect(e.stored).toBeLessThanOrEqual(e.offered);
    expect(outcome.stoppedAt).toBeGreaterThan(0.5);
    expect(outcome.stoppedAt).toBeLessThan(60);
    expect(end).toContain(`audit OK: ${e.stored} stored, ${e.delivered} delivered, none lost`);
    // What the command prints: the requests never sent are not offered (nor failed).
    expect(source.targetResult!.events).toMatchObject({ offered: e.offered, accepted: e.accepted });
    expect(source.targetResult!.events.failed).toBe(e.rejected);
    // The load took about as long as it ran before the stop, not the scenario's 60 s.
    expect(source.targetResult!.wallSeconds.load).toBeLessThan(30);
  }, 60_000);

  test('accepted events missing after the drain: the end frame says LOST with the audit\'s problem', async () => {
    const source = new PipelineRunSource(tiny({ duration: '2s' }), {
      run: async (s, options) => {
        const real = await runOnEmbedded(s, options);
        // As if 3 accepted events never reached DynamoDB.
        return { ...real, events: { ...real.events, stored: real.events.stored - 3, missing: 3 }, audit: { ...real.audit, ok: false, problems: ['3 accepted events are in no event table'] } };
      },
    });
    const app = mount(source);
    await settle();
    source.start();
    await source.finished();
    await settle();
    const frame = app.lastFrame() ?? '';
    expect(plain(frame)).toContain('LOST: 3 accepted events are in no event table · q quit');
    expect(source.verdict).toEqual({ ok: false, text: 'LOST: 3 accepted events are in no event table' });
  }, 60_000);
});
