// Raw protocol calls the exactly-once tests share (Rill's own codecs over one socket).
import { buildBatch } from '../../../src/protocol/records/index.js';
import type { RawClient } from '../groups/raw-client.js';

export interface Ids { producerId: bigint; producerEpoch: number }

export interface BatchSpec extends Ids { baseSequence: number; count: number; transactional?: boolean }

export async function initProducerId(client: RawClient, transactionalId: string | null, timeoutMs = 10_000): Promise<{ errorCode: number } & Ids> {
  return client.call(22, 4, { transactionalId, transactionTimeoutMs: timeoutMs, producerId: -1n, producerEpoch: -1 });
}

export async function produceBatch(client: RawClient, topic: string, spec: BatchSpec, transactionalId: string | null = null): Promise<{ errorCode: number; baseOffset: bigint }> {
  const records = Array.from({ length: spec.count }, (_, i) => ({ key: null, value: Buffer.from(`s${spec.baseSequence + i}`) }));
  const batch = buildBatch({ records, producerId: Number(spec.producerId), producerEpoch: spec.producerEpoch, baseSequence: spec.baseSequence, isTransactional: spec.transactional });
  const response = await client.call<{ responses: { partitionResponses: { errorCode: number; baseOffset: bigint }[] }[] }>(0, 9, {
    transactionalId, acks: -1, timeoutMs: 5000, topicData: [{ name: topic, partitionData: [{ index: 0, records: batch }] }],
  });
  return response.responses[0]!.partitionResponses[0]!;
}

export async function describeTransaction(client: RawClient, transactionalId: string): Promise<{ errorCode: number; transactionState: string; producerEpoch: number }> {
  const response = await client.call<{ transactionStates: { errorCode: number; transactionState: string; producerEpoch: number }[] }>(65, 0, { transactionalIds: [transactionalId] });
  return response.transactionStates[0]!;
}
