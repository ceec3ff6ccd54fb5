// Workloads for the protocol benchmarks: a Produce request of N partitions x 1 batch and a Fetch
// response of N partitions, both built through the generated codecs.
import { encodeRequestFrame, type FetchResponse, type ProduceRequest } from '../../src/protocol/index.js';

/** A stand-in v2 record batch of batchBytes bytes (the codecs never look inside). */
function fakeBatch(batchBytes: number, seed: number): Buffer {
  if (batchBytes === 0) return Buffer.alloc(0);
  const batch = Buffer.alloc(batchBytes, seed & 0xff);
  batch.writeBigInt64BE(0n, 0);
  batch.writeInt32BE(batchBytes - 12, 8);
  batch[16] = 2;
  return batch;
}

export function produceRequest(partitions: number, batchBytes: number): ProduceRequest {
  return {
    transactionalId: null,
    acks: -1,
    timeoutMs: 30_000,
    topicData: [
      {
        name: 'bench-topic',
        partitionData: Array.from({ length: partitions }, (_, index) => ({ index, records: fakeBatch(batchBytes, index) })),
      },
    ],
  };
}

/** A whole Produce request frame without its size prefix, as the server's frame reader hands it over. */
export function produceFrame(version: number, partitions: number, batchBytes: number): Buffer {
  const header = { requestApiKey: 0, requestApiVersion: version, correlationId: 1, clientId: 'bench' };
  return Buffer.concat(encodeRequestFrame(header, produceRequest(partitions, batchBytes))).subarray(4);
}

export function fetchResponse(partitions: number, batchBytes: number): FetchResponse {
  const topicId = Buffer.alloc(16, 7).toString('base64url');
  return {
    throttleTimeMs: 0,
    errorCode: 0,
    sessionId: 0,
    responses: [
      {
        topic: 'bench-topic',
        topicId,
        partitions: Array.from({ length: partitions }, (_, partitionIndex) => ({
          partitionIndex,
          errorCode: 0,
          highWatermark: 1_000_000n + BigInt(partitionIndex),
          lastStableOffset: 1_000_000n + BigInt(partitionIndex),
          logStartOffset: 0n,
          divergingEpoch: { epoch: -1, endOffset: -1n },
          currentLeader: { leaderId: -1, leaderEpoch: -1 },
          snapshotId: { endOffset: -1n, epoch: -1 },
          abortedTransactions: null,
          preferredReadReplica: -1,
          records: fakeBatch(batchBytes, partitionIndex),
        })),
      },
    ],
    nodeEndpoints: [],
  };
}
