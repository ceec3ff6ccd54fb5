// Records of the internal topic __consumer_offsets, in Kafka's own layouts so the data directory
// reads like Kafka's. Keys start with an int16 record type: 0/1 = offset commit (group, topic,
// partition), 2 = group metadata (group). Values start with an int16 value version. Written:
// OffsetCommitValue v3 (offset, leader epoch, metadata, commit timestamp) and GroupMetadataValue
// v3 (protocol type, generation, protocol, leader, state timestamp, members with instance id).
// Read: OffsetCommitValue v0-3 and GroupMetadataValue v0-3 (non-flexible). A null value is a
// tombstone. KIP-848 groups keep only their offsets here (their member state is in memory).
import { Reader, Writer } from '../../protocol/index.js';

export const OFFSET_COMMIT_KEY_VERSION = 1;
export const GROUP_METADATA_KEY_VERSION = 2;
const OFFSET_COMMIT_VALUE_VERSION = 3;
const GROUP_METADATA_VALUE_VERSION = 3;

export interface OffsetKey {
  kind: 'offset';
  groupId: string;
  topic: string;
  partition: number;
}

export interface GroupKey {
  kind: 'group';
  groupId: string;
}

export interface CommittedOffset {
  offset: bigint;
  leaderEpoch: number;
  metadata: string;
  commitTimestampMs: number;
  /** v1 values only; -1 otherwise. */
  expireTimestampMs: number;
}

export interface StoredMember {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  subscription: Buffer;
  assignment: Buffer;
}

export interface StoredGroup {
  protocolType: string;
  generationId: number;
  protocolName: string | null;
  leaderId: string | null;
  stateTimestampMs: number;
  members: StoredMember[];
}

export function encodeOffsetKey(groupId: string, topic: string, partition: number): Buffer {
  const w = new Writer(64);
  w.writeInt16(OFFSET_COMMIT_KEY_VERSION);
  w.writeString(groupId);
  w.writeString(topic);
  w.writeInt32(partition);
  return w.finish();
}

export function encodeGroupKey(groupId: string): Buffer {
  const w = new Writer(64);
  w.writeInt16(GROUP_METADATA_KEY_VERSION);
  w.writeString(groupId);
  return w.finish();
}

/** Decodes a key; undefined for record types Rill does not keep (e.g. KIP-848 records). */
export function decodeKey(key: Buffer): OffsetKey | GroupKey | undefined {
  const r = new Reader(key);
  const type = r.readInt16();
  if (type === 0 || type === 1) return { kind: 'offset', groupId: r.readString(), topic: r.readString(), partition: r.readInt32() };
  if (type === 2) return { kind: 'group', groupId: r.readString() };
  return undefined;
}

export function encodeOffsetValue(value: CommittedOffset): Buffer {
  const w = new Writer(64 + value.metadata.length * 3);
  w.writeInt16(OFFSET_COMMIT_VALUE_VERSION);
  w.writeInt64(value.offset);
  w.writeInt32(value.leaderEpoch);
  w.writeString(value.metadata);
  w.writeInt64(BigInt(value.commitTimestampMs));
  return w.finish();
}

export function decodeOffsetValue(buf: Buffer): CommittedOffset {
  const r = new Reader(buf);
  const version = r.readInt16();
  const offset = r.readInt64();
  const leaderEpoch = version >= 3 ? r.readInt32() : -1;
  const metadata = r.readString();
  const commitTimestampMs = Number(r.readInt64());
  const expireTimestampMs = version === 1 ? Number(r.readInt64()) : -1;
  return { offset, leaderEpoch, metadata, commitTimestampMs, expireTimestampMs };
}

function writeMember(w: Writer, member: StoredMember): void {
  w.writeString(member.memberId);
  w.writeNullableString(member.groupInstanceId);
  w.writeString(member.clientId);
  w.writeString(member.clientHost);
  w.writeInt32(member.rebalanceTimeoutMs);
  w.writeInt32(member.sessionTimeoutMs);
  w.writeBytes(member.subscription);
  w.writeBytes(member.assignment);
}

export function encodeGroupValue(group: StoredGroup): Buffer {
  const w = new Writer(256);
  w.writeInt16(GROUP_METADATA_VALUE_VERSION);
  w.writeString(group.protocolType);
  w.writeInt32(group.generationId);
  w.writeNullableString(group.protocolName);
  w.writeNullableString(group.leaderId);
  w.writeInt64(BigInt(group.stateTimestampMs));
  w.writeInt32(group.members.length);
  for (const member of group.members) writeMember(w, member);
  return w.finish();
}

function readMember(r: Reader, version: number): StoredMember {
  const memberId = r.readString();
  const groupInstanceId = version >= 3 ? r.readNullableString() : null;
  const clientId = r.readString();
  const clientHost = r.readString();
  const rebalanceTimeoutMs = version >= 1 ? r.readInt32() : -1;
  const sessionTimeoutMs = r.readInt32();
  const subscription = Buffer.from(r.readBytes());
  const assignment = Buffer.from(r.readBytes());
  return { memberId, groupInstanceId, clientId, clientHost, rebalanceTimeoutMs: rebalanceTimeoutMs < 0 ? sessionTimeoutMs : rebalanceTimeoutMs, sessionTimeoutMs, subscription, assignment };
}

export function decodeGroupValue(buf: Buffer): StoredGroup {
  const r = new Reader(buf);
  const version = r.readInt16();
  const protocolType = r.readString();
  const generationId = r.readInt32();
  const protocolName = r.readNullableString();
  const leaderId = r.readNullableString();
  const stateTimestampMs = version >= 2 ? Number(r.readInt64()) : -1;
  const count = r.readArrayLength(false, 30);
  const members: StoredMember[] = [];
  for (let i = 0; i < count; i++) members.push(readMember(r, version));
  return { protocolType, generationId, protocolName, leaderId, stateTimestampMs, members };
}
