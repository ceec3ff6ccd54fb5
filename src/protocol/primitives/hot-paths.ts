// Hand-specialized codecs for the two hot paths, producing exactly what the generated ones do
// (same types, same objects, same bytes; test/unit/protocol/hot-paths.test.ts checks parity):
// - Produce request decode: straight loops, no per-element callbacks or per-struct try/catch.
//   On malformed input it re-runs the generated decoder, which throws the ProtocolDecodeError
//   with the precise field path.
// - Fetch response encode: the partition loop inlined, tagged fields checked inline; partitions
//   with non-default tagged fields go through the generated writer.
// The generator wires these into the registry (src/protocol/codegen/emit.ts, HOT_PATHS).

import { ProtocolDecodeError } from '../errors.js';
import type {
  FetchResponse,
  FetchResponsePartitionData,
  ProduceRequest,
  ProduceRequestPartitionProduceData,
  ProduceRequestTopicProduceData,
} from '../generated/index.js';
import type { RawTaggedField, Reader } from './reader.js';
import type { Writer } from './writer.js';

const PRODUCE_FIRST_FLEXIBLE = 9;
const PRODUCE_FIRST_TRANSACTIONAL = 3;
/** Non-flexible minimum sizes: topic = name (2) + partitions count (4); partition = index (4) + records length (4). */
const TOPIC_MIN_BYTES = 6;
const PARTITION_MIN_BYTES = 8;

type ProduceReader = (r: Reader, v: number) => ProduceRequest;

export function readProduceRequestHot(r: Reader, v: number, generic: ProduceReader): ProduceRequest {
  const start = r.pos;
  try {
    return readProduceFast(r, v);
  } catch (e) {
    if (!(e instanceof ProtocolDecodeError)) throw e;
    r.pos = start;
    generic(r, v);
    throw new Error('protocol: hot Produce decoder rejected input the generated decoder accepts');
  }
}

/** Tagged fields as the generated decoders read them (no order check), or undefined when none. */
function readUnknownTagged(r: Reader): RawTaggedField[] | undefined {
  const count = r.readTaggedFieldCount();
  if (count === 0) return undefined;
  const fields: RawTaggedField[] = [];
  for (let i = 0; i < count; i++) {
    const tag = r.readUVarint();
    fields.push({ tag, data: r.readRawBytes(r.readTaggedFieldSize(), 'tagged field') });
  }
  return fields;
}

function readCount(r: Reader, flex: boolean, minBytes: number): number {
  const count = r.readArrayLength(flex, flex ? 1 : minBytes);
  if (count < 0) throw new ProtocolDecodeError('array: null where not nullable');
  return count;
}

function readPartitionsFast(r: Reader, flex: boolean): ProduceRequestPartitionProduceData[] {
  const count = readCount(r, flex, PARTITION_MIN_BYTES);
  const partitions = new Array<ProduceRequestPartitionProduceData>(count);
  for (let i = 0; i < count; i++) {
    const index = r.readInt32();
    const records = flex ? r.readCompactNullableBytes() : r.readNullableBytes();
    const unknownTaggedFields = flex ? readUnknownTagged(r) : undefined;
    partitions[i] = { index, records, unknownTaggedFields };
  }
  return partitions;
}

function readProduceFast(r: Reader, v: number): ProduceRequest {
  const flex = v >= PRODUCE_FIRST_FLEXIBLE;
  let transactionalId: string | null = null;
  if (v >= PRODUCE_FIRST_TRANSACTIONAL) transactionalId = flex ? r.readCompactNullableString() : r.readNullableString();
  const acks = r.readInt16();
  const timeoutMs = r.readInt32();
  const topicCount = readCount(r, flex, TOPIC_MIN_BYTES);
  const topicData = new Array<ProduceRequestTopicProduceData>(topicCount);
  for (let t = 0; t < topicCount; t++) {
    const name = flex ? r.readCompactString() : r.readString();
    const partitionData = readPartitionsFast(r, flex);
    const unknownTaggedFields = flex ? readUnknownTagged(r) : undefined;
    topicData[t] = { name, partitionData, unknownTaggedFields };
  }
  const unknownTaggedFields = flex ? readUnknownTagged(r) : undefined;
  return { transactionalId, acks, timeoutMs, topicData, unknownTaggedFields };
}

// ---- Fetch response ----

const FETCH_FIRST_FLEXIBLE = 12;

type PartitionWriter = (w: Writer, v: number, m: FetchResponsePartitionData) => void;
type FetchWriter = (w: Writer, v: number, m: FetchResponse) => void;

function noTagged(fields: readonly RawTaggedField[] | undefined): boolean {
  return fields === undefined || fields.length === 0;
}

/** True when a flexible partition has only default tagged fields (so its tag section is one 0 byte). */
function taggedAllDefault(p: FetchResponsePartitionData): boolean {
  const d = p.divergingEpoch;
  const l = p.currentLeader;
  const s = p.snapshotId;
  return (
    d.epoch === -1 && d.endOffset === -1n && noTagged(d.unknownTaggedFields) &&
    l.leaderId === -1 && l.leaderEpoch === -1 && noTagged(l.unknownTaggedFields) &&
    s.endOffset === -1n && s.epoch === -1 && noTagged(s.unknownTaggedFields) &&
    noTagged(p.unknownTaggedFields)
  );
}

function writeAborted(w: Writer, flex: boolean, p: FetchResponsePartitionData): void {
  const aborted = p.abortedTransactions;
  if (aborted === null) return w.writeArrayLength(flex, -1);
  w.writeArrayLength(flex, aborted.length);
  for (const a of aborted) {
    w.writeInt64(a.producerId);
    w.writeInt64(a.firstOffset);
    if (flex) w.writeRawTaggedFields(a.unknownTaggedFields);
  }
}

/** Partition fields for v4+ (the versions the hot path handles), in schema order. */
function writePartitionFast(w: Writer, v: number, flex: boolean, p: FetchResponsePartitionData): void {
  w.writeInt32(p.partitionIndex);
  w.writeInt16(p.errorCode);
  w.writeInt64(p.highWatermark);
  w.writeInt64(p.lastStableOffset);
  if (v >= 5) w.writeInt64(p.logStartOffset);
  writeAborted(w, flex, p);
  if (v >= 11) w.writeInt32(p.preferredReadReplica);
  if (flex) {
    w.writeCompactNullableBytes(p.records);
    w.writeUVarint(0);
  } else {
    w.writeNullableBytes(p.records);
  }
}

/**
 * Writes a Fetch response; versions below 4 and partitions with non-default tagged fields use
 * the generated writers (passed in, so this module has no runtime import of generated code).
 */
export function writeFetchResponseHot(
  w: Writer,
  v: number,
  m: FetchResponse,
  generic: FetchWriter,
  genericPartition: PartitionWriter,
): void {
  const flex = v >= FETCH_FIRST_FLEXIBLE;
  if (v < 4 || (flex && !(noTagged(m.unknownTaggedFields) && (v < 16 || m.nodeEndpoints.length === 0)))) {
    return generic(w, v, m);
  }
  w.writeInt32(m.throttleTimeMs);
  if (v >= 7) {
    w.writeInt16(m.errorCode);
    w.writeInt32(m.sessionId);
  }
  w.writeArrayLength(flex, m.responses.length);
  for (const topic of m.responses) {
    if (v <= 12) flex ? w.writeCompactString(topic.topic) : w.writeString(topic.topic);
    else w.writeUuid(topic.topicId);
    w.writeArrayLength(flex, topic.partitions.length);
    for (const p of topic.partitions) {
      if (flex && !taggedAllDefault(p)) genericPartition(w, v, p);
      else writePartitionFast(w, v, flex, p);
    }
    if (flex) w.writeRawTaggedFields(topic.unknownTaggedFields);
  }
  if (flex) w.writeUVarint(0);
}
