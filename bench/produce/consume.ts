// `rill bench consume`: K consumers (Rill's client; the topic's partitions dealt round-robin)
// read N records from the beginning of a topic through the record table of each batch (no object
// per record): every record's value is located (its length summed, its first byte read). If the topic holds fewer
// than N records, the missing ones are produced first (and the report says so).
import { Admin, Consumer, type ConsumedBatch } from '../../src/client/index.js';
import { ProgressBar, ThroughputSampler } from '../harness/common.js';
import { runProduceBench, throughput, type ThroughputResult } from './produce.js';

export interface ConsumeBenchOptions {
  bootstrap: string;
  topic: string;
  records: number;
  consumers: number;
  /** max.partition.fetch.bytes; default 1 MiB. */
  partitionMaxBytes?: number;
  /** fetch.max.bytes; default 50 MiB. */
  fetchMaxBytes?: number;
  /** Used only when records must be produced first. */
  recordSizeBytes?: number;
  partitions?: number;
  progress?: boolean;
}

/** Sums the value lengths of a batch and reads each value's first byte, so every record is really located. */
function locateValues(batch: ConsumedBatch): number {
  const buffer = batch.buffer;
  let valueBytes = 0;
  let firstByteSum = 0;
  for (let i = 0; i < batch.count; i++) {
    const valueLength = batch.valueLengthAt(i);
    if (valueLength <= 0) continue;
    valueBytes += valueLength;
    firstByteSum += buffer[batch.valueStartAt(i)]!;
  }
  if (firstByteSum < 0) throw new Error('unreachable: a byte sum is never negative');
  return valueBytes;
}

async function recordsAvailable(bootstrap: string, topic: string): Promise<{ count: number; partitions: number }> {
  const admin = new Admin({ bootstrap });
  try {
    const info = await admin.describeTopic(topic).catch(() => undefined);
    if (info === undefined) return { count: 0, partitions: 0 };
    const specs = info.partitions.map((p) => ({ topic, partition: p.partition }));
    const starts = await admin.listOffsets(specs.map((s) => ({ ...s, spec: 'earliest' as const })));
    const ends = await admin.listOffsets(specs.map((s) => ({ ...s, spec: 'latest' as const })));
    const count = ends.reduce((sum, e) => sum + e.offset, 0) - starts.reduce((sum, s) => sum + s.offset, 0);
    return { count, partitions: info.partitions.length };
  } finally {
    await admin.close();
  }
}

async function fillTopic(options: ConsumeBenchOptions, have: number): Promise<string | undefined> {
  const missing = options.records - have;
  if (missing <= 0) return undefined;
  await runProduceBench({
    bootstrap: options.bootstrap,
    topic: options.topic,
    records: missing,
    recordSizeBytes: options.recordSizeBytes ?? 100,
    partitions: options.partitions ?? 6,
    producers: 1,
    acks: 1,
    compression: 'none',
    batchSizeBytes: 1024 * 1024,
    lingerMs: 5,
    progress: false,
  });
  return `produced ${missing} records first`;
}

export async function runConsumeBench(options: ConsumeBenchOptions): Promise<ThroughputResult> {
  const before = await recordsAvailable(options.bootstrap, options.topic);
  const note = await fillTopic(options, before.count);
  const { partitions } = await recordsAvailable(options.bootstrap, options.topic);
  let consumed = 0;
  let bytes = 0;
  const consumers = Array.from({ length: Math.min(options.consumers, partitions) }, () => new Consumer({
    bootstrap: options.bootstrap,
    maxWaitMs: 100,
    partitionMaxBytes: options.partitionMaxBytes ?? 1024 * 1024,
    maxBytes: options.fetchMaxBytes ?? 50 * 1024 * 1024,
  }));
  for (let c = 0; c < consumers.length; c++) {
    const assignments = [];
    for (let p = c; p < partitions; p += consumers.length) assignments.push({ topic: options.topic, partition: p, offset: 'earliest' as const });
    await consumers[c]!.assign(assignments);
  }
  const bar = options.progress === false ? undefined : new ProgressBar('consume', options.records, () => consumed);
  const sampler = new ThroughputSampler(() => consumed);
  const startMs = performance.now();
  const stopAll = () => consumers.forEach((c) => void c.stop());
  await Promise.all(consumers.map((consumer) => consumer.run({
    eachBatch: (batch) => {
      bytes += locateValues(batch);
      consumed += batch.count;
      if (consumed >= options.records) stopAll();
    },
  })));
  const seconds = (performance.now() - startMs) / 1000;
  const points = sampler.stop();
  bar?.stop();
  await Promise.all(consumers.map((c) => c.close()));
  const result = throughput('rill', consumed, consumed > 0 ? Math.round(bytes / consumed) : 0, seconds);
  return { ...result, throughputOverTime: points, ...(note ? { note } : {}) };
}
