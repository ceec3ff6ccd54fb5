// KIP-848 group records of __consumer_offsets in Kafka's coordinator layouts. Keys (int16 type,
// then non-flexible strings): 3 ConsumerGroupMetadata (group), 5 ConsumerGroupMemberMetadata
// (group, member), 6 ConsumerGroupTargetAssignmentMetadata (group), 7
// ConsumerGroupTargetAssignmentMember (group, member), 8 ConsumerGroupCurrentMemberAssignment
// (group, member). Values are flexible version 0 (compact strings and arrays, tagged fields,
// which Rill writes empty and skips on read). Type 4 (subscription partition metadata) is not
// written: Rill recomputes it from the topic store at the first heartbeat after a restart.
import { Reader, Writer } from '../../protocol/index.js';

export const ConsumerRecordType = { group: 3, member: 5, targetMetadata: 6, targetMember: 7, currentAssignment: 8 } as const;
const VALUE_VERSION = 0;

/** topic id (22-character base64url) -> partitions. */
export type TopicIdPartitions = { topicId: string; partitions: number[] }[];

export interface ConsumerKey {
  type: number;
  groupId: string;
  /** For member-scoped records (5, 7, 8). */
  memberId: string | null;
}

export interface StoredConsumerMember {
  instanceId: string | null;
  rackId: string | null;
  clientId: string;
  clientHost: string;
  subscribedTopicNames: string[];
  subscribedTopicRegex: string | null;
  rebalanceTimeoutMs: number;
  serverAssignor: string | null;
}

export interface StoredCurrentAssignment {
  memberEpoch: number;
  previousMemberEpoch: number;
  /** Kafka's MemberState: 0 stable, 1 unrevoked partitions, 2 unreleased partitions. */
  state: number;
  assigned: TopicIdPartitions;
  pendingRevocation: TopicIdPartitions;
}

export function isMemberRecord(type: number): boolean {
  return type === ConsumerRecordType.member || type === ConsumerRecordType.targetMember || type === ConsumerRecordType.currentAssignment;
}

export function encodeConsumerKey(type: number, groupId: string, memberId?: string): Buffer {
  const w = new Writer(64);
  w.writeInt16(type);
  w.writeString(groupId);
  if (isMemberRecord(type)) w.writeString(memberId ?? '');
  return w.finish();
}

/** Reads a key of types 3-8 (after its type was peeked); undefined for other types. */
export function decodeConsumerKey(key: Buffer): ConsumerKey | undefined {
  const r = new Reader(key);
  const type = r.readInt16();
  if (type < ConsumerRecordType.group || type > ConsumerRecordType.currentAssignment) return undefined;
  const groupId = r.readString();
  return { type, groupId, memberId: isMemberRecord(type) ? r.readString() : null };
}

function flexible(write: (w: Writer) => void): Buffer {
  const w = new Writer(128);
  w.writeInt16(VALUE_VERSION);
  write(w);
  w.writeUVarint(0);
  return w.finish();
}

function writeTopicPartitions(w: Writer, topics: TopicIdPartitions): void {
  w.writeArrayLength(true, topics.length);
  for (const topic of topics) {
    w.writeUuid(topic.topicId);
    w.writeArrayLength(true, topic.partitions.length);
    for (const p of topic.partitions) w.writeInt32(p);
    w.writeUVarint(0);
  }
}

function readTopicPartitions(r: Reader): TopicIdPartitions {
  const count = r.readArrayLength(true, 18);
  const topics: TopicIdPartitions = [];
  for (let i = 0; i < count; i++) {
    const topicId = r.readUuid();
    const partitionCount = r.readArrayLength(true, 4);
    const partitions: number[] = [];
    for (let j = 0; j < partitionCount; j++) partitions.push(r.readInt32());
    r.readTaggedFields();
    topics.push({ topicId, partitions });
  }
  return topics;
}

/** ConsumerGroupMetadataValue and ConsumerGroupTargetAssignmentMetadataValue: one int32 epoch. */
export function encodeEpochValue(epoch: number): Buffer {
  return flexible((w) => w.writeInt32(epoch));
}

export function decodeEpochValue(buf: Buffer): number {
  const r = new Reader(buf);
  r.readInt16();
  return r.readInt32();
}

export function encodeMemberValue(member: StoredConsumerMember): Buffer {
  return flexible((w) => {
    w.writeCompactNullableString(member.instanceId);
    w.writeCompactNullableString(member.rackId);
    w.writeCompactString(member.clientId);
    w.writeCompactString(member.clientHost);
    w.writeArrayLength(true, member.subscribedTopicNames.length);
    for (const topic of member.subscribedTopicNames) w.writeCompactString(topic);
    w.writeCompactNullableString(member.subscribedTopicRegex);
    w.writeInt32(member.rebalanceTimeoutMs);
    w.writeCompactNullableString(member.serverAssignor);
  });
}

export function decodeMemberValue(buf: Buffer): StoredConsumerMember {
  const r = new Reader(buf);
  r.readInt16();
  const instanceId = r.readCompactNullableString();
  const rackId = r.readCompactNullableString();
  const clientId = r.readCompactString();
  const clientHost = r.readCompactString();
  const topicCount = r.readArrayLength(true, 1);
  const subscribedTopicNames: string[] = [];
  for (let i = 0; i < topicCount; i++) subscribedTopicNames.push(r.readCompactString());
  const subscribedTopicRegex = r.readCompactNullableString();
  const rebalanceTimeoutMs = r.readInt32();
  const serverAssignor = r.readCompactNullableString();
  return { instanceId, rackId, clientId, clientHost, subscribedTopicNames, subscribedTopicRegex, rebalanceTimeoutMs, serverAssignor };
}

/** ConsumerGroupTargetAssignmentMemberValue. */
export function encodeTargetValue(topics: TopicIdPartitions): Buffer {
  return flexible((w) => writeTopicPartitions(w, topics));
}

export function decodeTargetValue(buf: Buffer): TopicIdPartitions {
  const r = new Reader(buf);
  r.readInt16();
  return readTopicPartitions(r);
}

export function encodeCurrentAssignmentValue(value: StoredCurrentAssignment): Buffer {
  return flexible((w) => {
    w.writeInt32(value.memberEpoch);
    w.writeInt32(value.previousMemberEpoch);
    w.writeInt8(value.state);
    writeTopicPartitions(w, value.assigned);
    writeTopicPartitions(w, value.pendingRevocation);
  });
}

export function decodeCurrentAssignmentValue(buf: Buffer): StoredCurrentAssignment {
  const r = new Reader(buf);
  r.readInt16();
  const memberEpoch = r.readInt32();
  const previousMemberEpoch = r.readInt32();
  const state = r.readInt8();
  const assigned = readTopicPartitions(r);
  const pendingRevocation = readTopicPartitions(r);
  return { memberEpoch, previousMemberEpoch, state, assigned, pendingRevocation };
}
