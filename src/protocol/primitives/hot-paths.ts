// Hand-specialized codecs, producing exactly the bytes the generated ones do
// (test/unit/protocol/hot-paths.test.ts checks parity). The generator wires them into the
// registry (src/protocol/codegen/emit.ts, HOT_PATHS); bench/protocol measures both paths.
// - Fetch response encode: the partition loop inlined, tagged fields checked inline; partitions
//   with non-default tagged fields go through the generated writer.
// Produce request decode had a hand-specialized twin too; it measured no faster than the
// generated decoder (perf-results/*-protocol.md), so it was removed.

import type { FetchResponse, FetchResponsePartitionData } from '../generated/index.js';
import type { RawTaggedField } from './reader.js';
import type { Writer } from './writer.js';

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
