// TxnOffsetCommit (api key 28), versions 0-4.
// Offsets committed inside a transaction: held by the transaction coordinator and written to
// __consumer_offsets only when the transaction commits (dropped on abort), so OffsetFetch never
// sees them before. Checks: the group must have been added (AddOffsetsToTxn) to the producer's
// open transaction (else INVALID_TXN_STATE); a stale epoch is INVALID_PRODUCER_EPOCH, another
// producer id INVALID_PRODUCER_ID_MAPPING; with KIP-447 member data (v3+) on a classic group the
// member must exist (UNKNOWN_MEMBER_ID) in that generation (ILLEGAL_GENERATION); unknown
// partitions UNKNOWN_TOPIC_OR_PARTITION; metadata over offset.metadata.max.bytes
// OFFSET_METADATA_TOO_LARGE.
import type { PendingOffset } from '../coordinator/txn/coordinator.js';
import { ErrorCode } from '../protocol/error-codes.js';
import {
  defaultTxnOffsetCommitResponse,
  type TxnOffsetCommitRequest,
  type TxnOffsetCommitRequestTxnOffsetCommitRequestPartition,
  type TxnOffsetCommitResponse,
} from '../protocol/index.js';
import type { ApiHandler, BrokerState } from './types.js';

export const TXN_OFFSET_COMMIT_KEY = 28;
const METADATA_BYTES_MAX = 4096;

function memberError(broker: BrokerState, request: TxnOffsetCommitRequest): number {
  if (request.generationId < 0 && request.memberId === '') return ErrorCode.NONE;
  const group = broker.groups.groups.get(request.groupId);
  if (group === undefined || group.kind !== 'classic') return ErrorCode.NONE;
  if (!group.members.has(request.memberId)) return ErrorCode.UNKNOWN_MEMBER_ID;
  if (request.generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
  return ErrorCode.NONE;
}

function partitionError(broker: BrokerState, topic: string, p: TxnOffsetCommitRequestTxnOffsetCommitRequestPartition): number {
  const metadata = broker.topics.get(topic);
  if (metadata === undefined || p.partitionIndex < 0 || p.partitionIndex >= metadata.partitionCount) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
  if (Buffer.byteLength(p.committedMetadata ?? '') > METADATA_BYTES_MAX) return ErrorCode.OFFSET_METADATA_TOO_LARGE;
  return ErrorCode.NONE;
}

function answerAll(request: TxnOffsetCommitRequest, codeOf: (topic: string, p: TxnOffsetCommitRequestTxnOffsetCommitRequestPartition) => number): TxnOffsetCommitResponse {
  const topics = request.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: codeOf(t.name, p) })) }));
  return { ...defaultTxnOffsetCommitResponse(), topics };
}

export const txnOffsetCommitHandler: ApiHandler<TxnOffsetCommitRequest, TxnOffsetCommitResponse> = {
  apiKey: TXN_OFFSET_COMMIT_KEY,
  minVersion: 0,
  maxVersion: 4,
  async handle(ctx, request) {
    const broker = ctx.broker;
    if (request.groupId === '') return answerAll(request, () => ErrorCode.INVALID_GROUP_ID);
    const member = memberError(broker, request);
    if (member !== ErrorCode.NONE) return answerAll(request, () => member);
    const nowMs = Date.now();
    const accepted: PendingOffset[] = [];
    const codes = new Map<string, number>();
    for (const t of request.topics) {
      for (const p of t.partitions) {
        const code = partitionError(broker, t.name, p);
        codes.set(`${t.name}\u0000${p.partitionIndex}`, code);
        if (code !== ErrorCode.NONE) continue;
        const value = { offset: p.committedOffset, leaderEpoch: p.committedLeaderEpoch, metadata: p.committedMetadata ?? '', commitTimestampMs: nowMs, expireTimestampMs: -1 };
        accepted.push({ topic: t.name, partition: p.partitionIndex, value });
      }
    }
    const result = await broker.txn.txnOffsetCommit(request.transactionalId, Number(request.producerId), request.producerEpoch, request.groupId, accepted);
    if (result.errorCode !== ErrorCode.NONE) return answerAll(request, () => result.errorCode);
    return answerAll(request, (topic, p) => codes.get(`${topic}\u0000${p.partitionIndex}`)!);
  },
};
