// `rill consume`: records of a topic to stdout, one per line (value, "key<sep>value", or JSON).
// --group reads and commits the group's offsets (assigning every partition; group membership
// through JoinGroup is not used yet).
import { parseArgs } from 'node:util';
import { Consumer, type ConsumerRecord } from '../client/index.js';
import { UsageError } from './start-options.js';

export const consumeUsage = `usage: rill consume --bootstrap HOST:PORT --topic T [--from-beginning] [--group G]
                    [--print-key] [--key-separator SEP] [--format text|json]
                    [--max-messages N] [--timeout-ms MS]
                    [--isolation-level read_uncommitted|read_committed]`;

const OPTIONS = {
  bootstrap: { type: 'string', default: '127.0.0.1:9092' },
  topic: { type: 'string' },
  'from-beginning': { type: 'boolean', default: false },
  group: { type: 'string' },
  'print-key': { type: 'boolean', default: false },
  'key-separator': { type: 'string', default: '\t' },
  format: { type: 'string', default: 'text' },
  'max-messages': { type: 'string' },
  'timeout-ms': { type: 'string' },
  'isolation-level': { type: 'string', default: 'read_uncommitted' },
} as const;

function isolationLevel(text: string): 'read_uncommitted' | 'read_committed' {
  if (text === 'read_uncommitted' || text === 'read_committed') return text;
  throw new UsageError(`--isolation-level expects read_uncommitted or read_committed, got ${JSON.stringify(text)}`);
}

type Formatter = (record: ConsumerRecord) => string;

function text(buf: Buffer | null): string | null {
  return buf === null ? null : buf.toString();
}

function formatterFor(format: string, printKey: boolean, separator: string): Formatter {
  if (format === 'json') {
    return (r) => JSON.stringify({
      topic: r.topic,
      partition: r.partition,
      offset: r.offset,
      timestamp: r.timestampMs,
      key: text(r.key),
      value: text(r.value),
      headers: r.headers.map((h) => [h.key.toString(), text(h.value)]),
    });
  }
  if (format !== 'text') throw new UsageError(`--format expects text or json, got ${JSON.stringify(format)}`);
  return printKey ? (r) => `${text(r.key) ?? ''}${separator}${text(r.value) ?? ''}` : (r) => text(r.value) ?? '';
}

export async function runConsumeCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: OPTIONS, strict: true });
  if (values.topic === undefined) throw new UsageError(`--topic is required\n${consumeUsage}`);
  const maxMessages = values['max-messages'] === undefined ? Infinity : Number(values['max-messages']);
  const idleTimeoutMs = values['timeout-ms'] === undefined ? undefined : Number(values['timeout-ms']);
  const format = formatterFor(values.format!, values['print-key']!, values['key-separator']!);
  const reset = values['from-beginning'] ? 'earliest' : 'latest';
  const consumer = new Consumer({ bootstrap: values.bootstrap!, groupId: values.group, autoOffsetReset: reset, maxWaitMs: 200, isolationLevel: isolationLevel(values['isolation-level']!) });
  await consumer.assignTopics([values.topic], values.group === undefined ? reset : undefined);
  let printed = 0;
  const nextOffsets = new Map<string, { topic: string; partition: number; offset: number }>();
  let idleTimer: NodeJS.Timeout | undefined;
  const armIdle = () => {
    if (idleTimeoutMs === undefined) return;
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => void consumer.stop(), idleTimeoutMs);
  };
  const onSignal = () => void consumer.stop();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  armIdle();
  await consumer.run({
    eachBatch: (batch) => {
      armIdle();
      const lines: string[] = [];
      for (const record of batch.records) {
        if (printed >= maxMessages) break;
        lines.push(format(record));
        printed += 1;
        nextOffsets.set(`${record.topic}:${record.partition}`, { topic: record.topic, partition: record.partition, offset: record.offset + 1 });
      }
      if (lines.length > 0) process.stdout.write(lines.join('\n') + '\n');
      if (printed >= maxMessages) void consumer.stop();
    },
  });
  clearTimeout(idleTimer);
  if (values.group !== undefined && nextOffsets.size > 0) await consumer.commit([...nextOffsets.values()]);
  await consumer.close();
  process.stderr.write(`rill consume: ${printed} records\n`);
}
