// `rill produce`: lines from stdin become records (optionally "key<separator>value").
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { Producer } from '../client/index.js';
import type { CompressionName } from '../protocol/records/index.js';
import { UsageError } from './start-options.js';

export const produceUsage = `usage: rill produce --bootstrap HOST:PORT --topic T [--key-separator SEP] [--partition P]
                    [--acks 0|1|all] [--compression none|gzip|snappy|lz4|zstd] [--linger-ms MS]`;

const OPTIONS = {
  bootstrap: { type: 'string', default: '127.0.0.1:9092' },
  topic: { type: 'string' },
  'key-separator': { type: 'string' },
  partition: { type: 'string' },
  acks: { type: 'string', default: 'all' },
  compression: { type: 'string', default: 'none' },
  'linger-ms': { type: 'string', default: '5' },
} as const;

function splitLine(line: string, separator: string | undefined): { key: Buffer | null; value: Buffer } {
  if (separator === undefined) return { key: null, value: Buffer.from(line) };
  const at = line.indexOf(separator);
  if (at < 0) return { key: null, value: Buffer.from(line) };
  return { key: Buffer.from(line.slice(0, at)), value: Buffer.from(line.slice(at + separator.length)) };
}

export async function runProduceCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: OPTIONS, strict: true });
  if (values.topic === undefined) throw new UsageError(`--topic is required\n${produceUsage}`);
  const acks = values.acks === 'all' || values.acks === '-1' ? 'all' : (Number(values.acks) as 0 | 1);
  const producer = new Producer({ bootstrap: values.bootstrap!, acks, compression: values.compression as CompressionName, lingerMs: Number(values['linger-ms']) });
  const partition = values.partition === undefined ? undefined : Number(values.partition);
  let count = 0;
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    const { key, value } = splitLine(line, values['key-separator']);
    producer.produce({ topic: values.topic, key, value, partition });
    count += 1;
    if (producer.isFull) await producer.waitForCapacity();
  }
  await producer.close();
  process.stderr.write(`rill produce: ${count} records to ${values.topic}\n`);
}
