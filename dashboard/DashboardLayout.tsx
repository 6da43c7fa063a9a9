/** Every panel of one frame, laid out for the terminal size. Presentational: it renders a snapshot and nothing else. */
import { Box, Text } from 'ink';
import { int, seconds } from '../reports/format.ts';
import { AuditPanel } from './AuditPanel.tsx';
import { CapacityChart } from './CapacityChart.tsx';
import { CostPanel } from './CostPanel.tsx';
import { ExpectationsPanel } from './ExpectationsPanel.tsx';
import { FirehosePanel } from './FirehosePanel.tsx';
import { Header } from './Header.tsx';
import { KeyHelp } from './KeyHelp.tsx';
import type { Layout } from './layout.ts';
import type { RunSnapshot } from './run-source.ts';
import { ScalingLog } from './ScalingLog.tsx';
import { ThrottlesPanel } from './ThrottlesPanel.tsx';

export interface DashboardLayoutProps {
  readonly snapshot: RunSnapshot;
  readonly layout: Layout;
  readonly color: boolean;
}

export function DashboardLayout({ snapshot: s, layout: l, color }: DashboardLayoutProps) {
  const end = seconds(s.duration);
  const k = s.kinesis;
  const shards = k.mode === 'on-demand' ? `on-demand, ~${k.shards} shards` : `${k.shards} shards${k.reshardingTo !== null ? ` → ${k.reshardingTo}` : ''}`;
  // A real run does not measure attempted WCU: it charts what DynamoDB consumed, and says so.
  const ddbOffered = s.now.ddbDemandWcu !== null;
  const wcu = s.dynamodb.mode === 'on-demand' ? 'on-demand' : s.dynamodb.wcu === null ? 'no table' : `${int(s.dynamodb.wcu)} WCU`;
  return (
    <Box flexDirection="column" width={l.width}>
      <Header
        scenario={s.scenario}
        target={s.target}
        time={s.time}
        duration={s.duration}
        draining={s.draining}
        done={s.done}
        paused={s.paused}
        speed={s.speed}
        etaSeconds={s.etaSeconds}
        width={l.width}
        {...(s.real ? { real: s.real } : {})}
      />
      <Text> </Text>
      <Box flexDirection="row" gap={1}>
        <CapacityChart
          title="Kinesis"
          capacityLabel={shards}
          unit="records/s"
          demand={s.series.kinesisDemandRps}
          capacity={s.series.kinesisCapacityRps}
          demandNow={s.now.kinesisDemandRps}
          capacityNow={s.now.kinesisCapacityRps}
          width={l.chartWidth}
          height={l.chartHeight}
          end={end}
          color={color}
        />
        <CapacityChart
          title="DynamoDB"
          capacityLabel={wcu}
          unit="WCU/s"
          demand={ddbOffered ? s.series.ddbDemandWcu : (s.series.ddbConsumedWcu ?? [])}
          capacity={s.series.ddbCapacityWcu}
          demandNow={ddbOffered ? s.now.ddbDemandWcu : (s.now.ddbConsumedWcu ?? null)}
          capacityNow={s.real && s.dynamodb.mode === 'on-demand' ? null : (s.dynamodb.wcu ?? 0)}
          {...(ddbOffered ? {} : { demandLabel: 'consumed', note: 'offered not measured' })}
          width={l.chartWidth}
          height={l.chartHeight}
          end={end}
          color={color}
        />
      </Box>
      <Text> </Text>
      <Box flexDirection="row" gap={2}>
        <Box flexDirection="column" width={l.leftWidth}>
          <ThrottlesPanel
            kinesis={s.series.kinesisThrottledPerSecond}
            dynamodb={s.series.ddbThrottledPerSecond}
            firehose={s.series.firehoseThrottledPerSecond}
            kinesisNow={s.now.kinesisThrottledPerSecond}
            dynamodbNow={s.now.ddbThrottledPerSecond}
            firehoseNow={s.now.firehoseThrottledPerSecond}
            iteratorAge={s.series.iteratorAgeMs}
            iteratorAgeNowMs={s.now.iteratorAgeMs}
            maxIteratorAgeMs={s.maxIteratorAgeMs}
            width={l.leftWidth}
            sparkWidth={l.sparkWidth}
          />
          <FirehosePanel
            bufferedBytes={s.firehose.bufferedBytes}
            bufferLimitBytes={s.firehose.bufferLimitBytes}
            objects={s.firehose.objects}
            deliveredEvents={s.totals.delivered}
            deliveredBytes={s.firehose.deliveredBytes}
            width={l.leftWidth}
          />
        </Box>
        <Box flexDirection="column" width={l.rightWidth}>
          <AuditPanel
            offered={s.totals.offered}
            accepted={s.totals.accepted}
            rejected={s.totals.rejected}
            dropped={s.totals.dropped}
            stored={s.totals.stored}
            width={l.rightWidth}
          />
          <CostPanel totalUsd={s.cost.totalUsd} perMillionEventsUsd={s.cost.perMillionEventsUsd} width={l.rightWidth} />
        </Box>
      </Box>
      <ScalingLog actions={s.actions} lines={l.logLines} width={l.width} />
      <ExpectationsPanel expectations={s.expectations} width={l.width} lines={l.expectationLines} />
      <KeyHelp
        paused={s.paused}
        done={s.done}
        speedAdjustable={s.speed !== null && !s.real}
        width={l.width}
        {...(s.real ? { real: s.real } : {})}
        {...(s.verdict ? { verdict: s.verdict } : {})}
      />
    </Box>
  );
}
