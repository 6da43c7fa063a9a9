/**
 * The embedded target alone, for poking at it with any AWS SDK or CLI (`pipeline up` starts it with the whole pipeline).
 * Run: `npx tsx pipeline/targets/serve-embedded.ts [--port 4566] [--data-dir DIR] [--firehose-time-scale K]`; Ctrl-C stops
 * it, delivering what Firehose still buffers first.
 */
import { parseArgs } from 'node:util';
import { startEmbedded } from './embedded.ts';

const { values } = parseArgs({ options: { port: { type: 'string' }, 'data-dir': { type: 'string' }, 'firehose-time-scale': { type: 'string' } } });
const target = await startEmbedded({
  ...(values.port ? { port: Number(values.port) } : {}),
  ...(values['data-dir'] ? { dataDir: values['data-dir'] } : {}),
  ...(values['firehose-time-scale'] ? { firehose: { timeScale: Number(values['firehose-time-scale']) } } : {}),
});
process.stdout.write(
  `embedded AWS on ${target.endpoint} (kinesis, dynamodb, firehose, s3${values['data-dir'] ? `; data in ${values['data-dir']}` : '; in memory'})\n` +
    `credentials: AWS_ACCESS_KEY_ID=${target.credentials!.accessKeyId} AWS_SECRET_ACCESS_KEY=${target.credentials!.secretAccessKey} AWS_DEFAULT_REGION=${target.region}\n`,
);
const stop = async () => {
  await target.stop();
  const t = target.firehose?.totals();
  if (t) process.stdout.write(`stopped; Firehose delivered ${t.deliveredRecords} of ${t.recordsIn} records in ${t.objects} objects\n`);
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
