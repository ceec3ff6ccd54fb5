// Fetch (api key 1), versions 0-17. v0-3 answer with the batches down-converted to message
// format v0 (Fetch v0-1) or v1 (Fetch v2-3), as Kafka 3.x does: uncompressed, headers and
// control batches dropped, records before the fetch offset dropped.
// Per partition: whole batches from fetch_offset (the batch holding it included: the client
// drops records before its offset), at least one batch even above the byte limits (KIP-74),
// then more within partition_max_bytes and the response's max_bytes. Under min_bytes the
// request waits for appends to its partitions until max_wait_ms. Topic ids from v13. Unknown
// partitions: UNKNOWN_TOPIC_OR_PARTITION (UNKNOWN_TOPIC_ID by id); out-of-range offsets:
// OFFSET_OUT_OF_RANGE. read_committed reads up to the last stable offset (first offset of the
// earliest open transaction) and lists the aborted transactions in the range read.
// Fetch sessions (KIP-227, v7+): full and incremental fetches, forgotten topics, epochs
// (src/handlers/fetch-sessions.ts).
import { OffsetOutOfRangeError, StorageError } from '../log/errors.js';
import type { ReadBufferLender } from '../log/read-buffers.js';
import { abortedTransactionsFor, lastStableOffsetOf } from '../log/producer-state-store.js';
import { ErrorCode } from '../protocol/error-codes.js';
import {
  defaultFetchResponse,
  defaultFetchResponsePartitionData,
  type FetchRequest,
  type FetchRequestFetchPartition,
  type FetchResponse,
  type FetchResponseFetchableTopicResponse,
  type FetchResponsePartitionData,
} from '../protocol/index.js';
import { downConvertToLegacy, type LegacyMagic } from '../protocol/records/legacy.js';
import { RecordFormatError } from '../protocol/records/errors.js';
import { FetchSessionCache, type SessionOutcome } from './fetch-sessions.js';
import type { ApiHandler, BrokerState, HandlerContext } from './types.js';

export const FETCH_KEY = 1;
const READ_COMMITTED = 1;
const TOPIC_IDS_MIN_VERSION = 13;
const V2_RECORDS_MIN_VERSION = 4;
const SESSIONS_MIN_VERSION = 7;

/** One session cache per broker (several brokers may share a process). */
const sessionCaches = new WeakMap<BrokerState, FetchSessionCache>();

function sessionCacheOf(broker: BrokerState): FetchSessionCache {
  let cache = sessionCaches.get(broker);
  if (cache === undefined) {
    cache = new FetchSessionCache(() => broker.config.number('max.incremental.fetch.session.cache.slots'));
    sessionCaches.set(broker, cache);
  }
  return cache;
}

/** The message format a Fetch version reads, or undefined for v2 batches. */
function legacyMagicFor(version: number): LegacyMagic | undefined {
  if (version >= V2_RECORDS_MIN_VERSION) return undefined;
  return version >= 2 ? 1 : 0;
}

interface FetchPlan {
  /** The name asked for (v0-12), answered back even when the topic is unknown. */
  requestedName: string;
  topicName: string | null;
  topicId: string;
  errorCode: number;
  partitions: FetchRequestFetchPartition[];
}

function partitionError(partitionIndex: number, errorCode: number): FetchResponsePartitionData {
  return { ...defaultFetchResponsePartitionData(), partitionIndex, errorCode, highWatermark: -1n, lastStableOffset: -1n, logStartOffset: -1n, records: null };
}

function planTopics(broker: BrokerState, requestTopics: FetchRequest['topics'], version: number): FetchPlan[] {
  return requestTopics.map((t) => {
    const byId = version >= TOPIC_IDS_MIN_VERSION;
    const topic = byId ? broker.topics.getById(t.topicId) : broker.topics.get(t.topic);
    const missing = byId ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    return { requestedName: t.topic, topicName: topic?.name ?? null, topicId: topic?.topicId ?? t.topicId, errorCode: topic === undefined ? missing : ErrorCode.NONE, partitions: t.partitions };
  });
}

interface ReadBudget {
  remainingBytes: number;
  readBytes: number;
}

interface ReadMode {
  readCommitted: boolean;
  legacyMagic: LegacyMagic | undefined;
  /** Lends the read buffers, given back once the answer is written. */
  lender: ReadBufferLender | undefined;
}

function convertRecords(records: Buffer, fetchOffset: number, mode: ReadMode): Buffer {
  if (mode.legacyMagic === undefined || records.length === 0) return records;
  return downConvertToLegacy(records, mode.legacyMagic, 0, records.length, { fromOffset: fetchOffset });
}

async function readPartition(
  broker: BrokerState, topicName: string, partition: FetchRequestFetchPartition, budget: ReadBudget, mode: ReadMode,
): Promise<FetchResponsePartitionData> {
  const readCommitted = mode.readCommitted;
  const partitionLog = broker.logs.get(topicName, partition.partition);
  if (partitionLog === undefined) return partitionError(partition.partition, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  const maxBytes = Math.min(partition.partitionMaxBytes, budget.readBytes === 0 ? Math.max(budget.remainingBytes, 1) : budget.remainingBytes);
  try {
    const lastStableOffset = lastStableOffsetOf(partitionLog);
    const maxOffset = readCommitted ? lastStableOffset : partitionLog.highWatermark;
    const read = maxBytes <= 0 ? null : await partitionLog.read(Number(partition.fetchOffset), maxBytes, { maxOffset, lender: mode.lender });
    const records = convertRecords(read?.records ?? Buffer.alloc(0), Number(partition.fetchOffset), mode);
    budget.remainingBytes -= records.length;
    budget.readBytes += records.length;
    return {
      ...defaultFetchResponsePartitionData(),
      partitionIndex: partition.partition,
      errorCode: ErrorCode.NONE,
      highWatermark: BigInt(partitionLog.highWatermark),
      lastStableOffset: BigInt(lastStableOffset),
      logStartOffset: BigInt(partitionLog.logStartOffset),
      abortedTransactions: readCommitted ? abortedTransactionsFor(partitionLog, Number(partition.fetchOffset), maxOffset) : null,
      records,
    };
  } catch (err) {
    if (err instanceof OffsetOutOfRangeError) return partitionError(partition.partition, ErrorCode.OFFSET_OUT_OF_RANGE);
    if (err instanceof StorageError) return partitionError(partition.partition, err.errorCode);
    if (err instanceof RecordFormatError) return partitionError(partition.partition, err.errorCode);
    throw err;
  }
}

async function readAll(broker: BrokerState, plans: FetchPlan[], request: FetchRequest, version: number, lender: ReadBufferLender | undefined): Promise<{ topics: FetchResponseFetchableTopicResponse[]; bytes: number }> {
  const budget: ReadBudget = { remainingBytes: request.maxBytes, readBytes: 0 };
  const mode: ReadMode = { readCommitted: request.isolationLevel === READ_COMMITTED, legacyMagic: legacyMagicFor(version), lender };
  const topics: FetchResponseFetchableTopicResponse[] = [];
  for (const plan of plans) {
    const partitions: FetchResponsePartitionData[] = [];
    for (const partition of plan.partitions) {
      partitions.push(plan.topicName === null
        ? partitionError(partition.partition, plan.errorCode)
        : await readPartition(broker, plan.topicName, partition, budget, mode));
    }
    topics.push({ topic: plan.topicName ?? plan.requestedName, topicId: plan.topicId, partitions });
  }
  return { topics, bytes: budget.readBytes };
}

/** Resolves when one of the partitions gets an append or the wait ends. */
function waitForAppend(broker: BrokerState, plans: FetchPlan[], maxWaitMs: number): Promise<void> {
  const wanted = new Set(plans.flatMap((p) => (p.topicName === null ? [] : p.partitions.map((q) => `${p.topicName}\u0000${q.partition}`))));
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      unsubscribe();
      resolve();
    };
    const timer = setTimeout(done, maxWaitMs);
    timer.unref();
    const unsubscribe = broker.logs.onAppend((topic, partition) => {
      if (broker.logs.stopping || wanted.has(`${topic}\u0000${partition}`)) done();
    });
  });
}

/** Pooled read buffers, when the connection will say when the answer has been written. */
function lenderFor(ctx: HandlerContext): ReadBufferLender | undefined {
  const hooks = ctx.request.afterResponseWritten;
  if (hooks === undefined) return undefined;
  const lender = ctx.broker.logs.readBuffers.lender();
  hooks.push(() => lender.release());
  return lender;
}

function hasErrors(topics: FetchResponseFetchableTopicResponse[]): boolean {
  return topics.some((t) => t.partitions.some((p) => p.errorCode !== ErrorCode.NONE));
}

export const fetchHandler: ApiHandler<FetchRequest, FetchResponse> = {
  apiKey: FETCH_KEY,
  minVersion: 0,
  maxVersion: 17,
  async handle(ctx, request, version) {
    const outcome: SessionOutcome = version >= SESSIONS_MIN_VERSION ? sessionCacheOf(ctx.broker).begin(request, version) : { kind: 'sessionless' };
    if (outcome.kind === 'error') return { ...defaultFetchResponse(), errorCode: outcome.errorCode, sessionId: 0, responses: [] };
    const requestTopics = outcome.kind === 'incremental' ? outcome.session.requestTopics() : request.topics;
    const plans = planTopics(ctx.broker, requestTopics, version);
    const deadlineMs = Date.now() + Math.max(0, request.maxWaitMs);
    const lender = lenderFor(ctx);
    let result = await readAll(ctx.broker, plans, request, version, lender);
    while (result.bytes < request.minBytes && Date.now() < deadlineMs && !hasErrors(result.topics) && !ctx.broker.logs.stopping) {
      await waitForAppend(ctx.broker, plans, deadlineMs - Date.now());
      result = await readAll(ctx.broker, plans, request, version, lender);
    }
    if (outcome.kind === 'sessionless') return { ...defaultFetchResponse(), sessionId: 0, responses: result.topics };
    const responses = outcome.session.filterAnswer(result.topics, outcome.kind === 'incremental');
    return { ...defaultFetchResponse(), sessionId: outcome.session.id, responses };
  },
};
