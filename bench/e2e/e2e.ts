// `rill bench e2e`: end-to-end latency at a fixed rate. A producer (linger 0) sends R records/s
// for S seconds, each carrying its send time (performance clock, float64 ms) in its first 8
// bytes; a consumer in the same process reads them and records now - send time into an HDR
// histogram. Records sent during the warm-up (default 2 s, within the run) are not recorded.
import { Consumer, Producer, type Acks } from '../../src/client/index.js';
import { LatencyRecorder, ProgressBar, ThroughputSampler, round, type LatencySummaryMs } from '../harness/common.js';
import { benchValue, ensureTopic } from '../produce/produce.js';

export interface E2eBenchOptions {
  bootstrap: string;
  topic: string;
  ratePerSec: number;
  seconds: number;
  recordSizeBytes: number;
  partitions: number;
  acks: Acks;
  warmupSeconds?: number;
  progress?: boolean;
}

export interface E2eResult {
  client: string;
  target_rate_per_sec: number;
  seconds: number;
  records_sent: number;
  records_measured: number;
  records_per_sec: number;
  mb_per_sec: number;
  latency_ms: LatencySummaryMs;
  latencyCurveMs: Array<[number, number]>;
  throughputOverTime: Array<[number, number]>;
  note?: string;
}

const STAMP_BYTES = 8;
const PACING_TICK_MS = 1;

function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function paceProducer(producer: Producer, options: E2eBenchOptions, template: Buffer): Promise<number> {
  const startMs = performance.now();
  const endMs = startMs + options.seconds * 1000;
  let sent = 0;
  // produce() copies the value into its batch at once: one buffer, restamped per record, serves all.
  const record = { topic: options.topic, value: template };
  for (;;) {
    const now = performance.now();
    if (now >= endMs) break;
    const due = Math.floor(((now - startMs) / 1000) * options.ratePerSec);
    for (; sent < due; sent++) {
      template.writeDoubleLE(nowMs(), 0);
      producer.produce(record);
    }
    await sleep(PACING_TICK_MS);
  }
  await producer.flush();
  return sent;
}

export async function runE2eBench(options: E2eBenchOptions): Promise<E2eResult> {
  await ensureTopic(options.bootstrap, options.topic, options.partitions);
  const latency = new LatencyRecorder();
  const producer = new Producer({ bootstrap: options.bootstrap, acks: options.acks, lingerMs: 0, batchSizeBytes: 1024 * 1024 });
  await producer.send({ topic: options.topic, value: Buffer.alloc(STAMP_BYTES) });
  const consumer = new Consumer({ bootstrap: options.bootstrap, maxWaitMs: 500, minBytes: 1 });
  await consumer.assignTopics([options.topic], 'latest');
  const warmupEndsAtMs = nowMs() + (options.warmupSeconds ?? 2) * 1000;
  let received = 0;
  const consuming = consumer.run({
    eachBatch: (batch) => {
      const arrivedMs = nowMs();
      received += batch.count;
      const bytes = batch.buffer;
      for (let i = 0; i < batch.count; i++) {
        if (batch.valueLengthAt(i) < STAMP_BYTES) continue;
        const sentMs = bytes.readDoubleLE(batch.valueStartAt(i));
        if (sentMs >= warmupEndsAtMs) latency.recordMs(arrivedMs - sentMs);
      }
    },
  });
  const total = options.ratePerSec * options.seconds;
  const bar = options.progress === false ? undefined : new ProgressBar('e2e', total, () => received);
  const sampler = new ThroughputSampler(() => received);
  const startMs = performance.now();
  const template = benchValue(Math.max(STAMP_BYTES, options.recordSizeBytes));
  const sent = await paceProducer(producer, options, template);
  const drainDeadlineMs = performance.now() + 10_000;
  while (received < sent && performance.now() < drainDeadlineMs) await sleep(5);
  const seconds = (performance.now() - startMs) / 1000;
  const points = sampler.stop();
  bar?.stop();
  await consumer.stop();
  await consuming;
  await consumer.close();
  await producer.close();
  return {
    client: 'rill',
    target_rate_per_sec: options.ratePerSec,
    seconds: round(seconds),
    records_sent: sent,
    records_measured: latency.count,
    records_per_sec: Math.round(received / seconds),
    mb_per_sec: round((received * template.length) / seconds / 1e6, 2),
    latency_ms: latency.summaryMs(),
    latencyCurveMs: latency.curveMs(),
    throughputOverTime: points,
  };
}
