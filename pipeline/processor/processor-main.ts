/**
 * The stream processor as a process of its own (the seed's Lambda runs apart from the API; the restart test kills this
 * one with SIGKILL). Configuration comes as JSON in INGESTLAB_PROCESSOR: `{target: {region, endpoint, credentials},
 * processor: <ProcessorOptions without aws>}`. It prints one JSON line of counters every `reportMs` (default 200) on
 * stdout, and on SIGTERM or SIGINT drains, prints `{"final": counters}` and exits 0.
 */
import { createAwsClients } from '../aws-clients.ts';
import type { TargetEndpoints } from '../targets/target.ts';
import { StreamProcessor, type ProcessorOptions } from './stream-processor.ts';

interface ChildConfig {
  target: Omit<TargetEndpoints, 'name'>;
  processor: Omit<ProcessorOptions, 'aws' | 'now'>;
  reportMs?: number;
}

const config = JSON.parse(process.env['INGESTLAB_PROCESSOR'] ?? '') as ChildConfig;
const aws = createAwsClients({ name: 'embedded', ...config.target });
const processor = new StreamProcessor({ ...config.processor, aws });
await processor.start();
const report = setInterval(() => process.stdout.write(JSON.stringify(processor.counters) + '\n'), config.reportMs ?? 200);
process.stdout.write(JSON.stringify({ ready: true }) + '\n');

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  clearInterval(report);
  await processor.stop();
  process.stdout.write(JSON.stringify({ final: processor.counters }) + '\n');
  aws.destroy();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
