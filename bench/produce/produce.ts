// `rill bench produce`: K producers (Rill's client, one connection each) write N records of a
// given size into a topic as fast as the broker acknowledges them. Reports records/s, MB/s of
// record values, and per-batch acknowledgement latency (batch opened -> acknowledged).
import { Admin, Producer, type Acks } from '../../src/client/index.js';
import type { CompressionName } from '../../src/protocol/records/index.js';
import { LatencyRecorder, ProgressBar, ThroughputSampler, round, yieldToEventLoop, type LatencySummaryMs } from '../harness/common.js';

export interface ProduceBenchOptions {
  bootstrap: string;
  topic: string;
  records: number;
  recordSizeBytes: number;
  partitions: number;
  producers: number;
  acks: Acks;
  compression: CompressionName;
  batchSizeBytes: number;
  lingerMs: number;
  /** enable.idempotence; unset: the producer's default (on with acks 'all', off with acks 0/1, as the Java client). */
  idempotent?: boolean;
  /** Draw a progress bar on a TTY (default true). */
  progress?: boolean;
}

export interface ThroughputResult {
  client: string;
  records: number;
  recordSizeBytes: number;
  seconds: number;
  records_per_sec: number;
  mb_per_sec: number;
  latency_ms?: LatencySummaryMs;
  latencyCurveMs?: Array<[number, number]>;
  /** [seconds, records/s] samples. */
  throughputOverTime?: Array<[number, number]>;
  /** Whether the producers were idempotent (producer id and sequence numbers on every batch). */
  idempotent?: boolean;
  note?: string;
}

/** Records the producer loop hands over before letting the event loop send. */
const RECORDS_PER_YIELD = 4096;

export async function ensureTopic(bootstrap: string, topic: string, partitions: number): Promise<void> {
  const admin = new Admin({ bootstrap });
  try {
    await admin.createTopics([{ name: topic, numPartitions: partitions }], true);
  } finally {
    await admin.close();
  }
}

/** A record value: printable, mildly compressible bytes (so codecs have something to do). */
export function benchValue(recordSizeBytes: number): Buffer {
  const value = Buffer.allocUnsafe(recordSizeBytes);
  for (let i = 0; i < recordSizeBytes; i++) value[i] = 97 + ((i * 7 + (i >> 3)) % 26);
  return value;
}

export function throughput(client: string, records: number, recordSizeBytes: number, seconds: number): ThroughputResult {
  return {
    client,
    records,
    recordSizeBytes,
    seconds: round(seconds),
    records_per_sec: Math.round(records / seconds),
    mb_per_sec: round((records * recordSizeBytes) / seconds / 1e6, 2),
  };
}

async function runOneProducer(producer: Producer, topic: string, count: number, value: Buffer): Promise<void> {
  // produce() encodes the record into its batch at once, so one record object serves every call.
  const record = { topic, value };
  for (let i = 0; i < count; i++) {
    producer.produce(record);
    if (i % RECORDS_PER_YIELD === RECORDS_PER_YIELD - 1) {
      await yieldToEventLoop();
      if (producer.isFull) await producer.waitForCapacity();
    }
  }
  await producer.flush();
}

export async function runProduceBench(options: ProduceBenchOptions): Promise<ThroughputResult> {
  await ensureTopic(options.bootstrap, options.topic, options.partitions);
  const latency = new LatencyRecorder();
  let acked = 0;
  const producers = Array.from({ length: options.producers }, () => new Producer({
    bootstrap: options.bootstrap,
    acks: options.acks,
    compression: options.compression,
    batchSizeBytes: options.batchSizeBytes,
    lingerMs: options.lingerMs,
    idempotent: options.idempotent,
    onBatchAcked: (batch, latencyMs) => {
      acked += batch.recordCount;
      latency.recordMs(latencyMs);
    },
  }));
  await Promise.all(producers.map((p) => p.connect()));
  await Promise.all(producers.map((p) => p.send({ topic: options.topic, value: Buffer.alloc(0) }))); // metadata + connection warm
  acked = 0;
  const value = benchValue(options.recordSizeBytes);
  const share = Math.ceil(options.records / options.producers);
  const bar = options.progress === false ? undefined : new ProgressBar('produce', options.records, () => acked);
  const sampler = new ThroughputSampler(() => acked);
  const startMs = performance.now();
  await Promise.all(producers.map((p, i) => runOneProducer(p, options.topic, Math.min(share, options.records - i * share), value)));
  const seconds = (performance.now() - startMs) / 1000;
  const points = sampler.stop();
  bar?.stop();
  await Promise.all(producers.map((p) => p.close()));
  return { ...throughput('rill', options.records, options.recordSizeBytes, seconds), idempotent: producers[0]!.idempotent, latency_ms: latency.summaryMs(), latencyCurveMs: latency.curveMs(), throughputOverTime: points };
}
