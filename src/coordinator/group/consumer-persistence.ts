// Durable KIP-848 group state: after a heartbeat changes a group, its epochs, members (metadata,
// target assignment, current assignment) are written to __consumer_offsets as Kafka's coordinator
// records (consumer-records.ts), with tombstones for members gone since the last write; at start
// the records are replayed into ConsumerGroup objects. A write is skipped when nothing changed.
import type { RecordInput } from '../../accel/types.js';
import type { TopicStore } from '../../handlers/topic-store.js';
import type { ClassicGroup } from './classic-group.js';
import { ConsumerGroup, type Assignment, type ConsumerMember } from './consumer-group.js';
import {
  ConsumerRecordType as Type,
  decodeConsumerKey,
  decodeCurrentAssignmentValue,
  decodeEpochValue,
  decodeMemberValue,
  decodeTargetValue,
  encodeConsumerKey,
  encodeCurrentAssignmentValue,
  encodeEpochValue,
  encodeMemberValue,
  encodeTargetValue,
  type TopicIdPartitions,
} from './consumer-records.js';
import { encodeGroupKey } from './offsets-records.js';

const MEMBER_STATE_STABLE = 0;
const MEMBER_STATE_UNREVOKED = 1;

export interface ConsumerPersistenceHost {
  readonly groups: Map<string, ConsumerGroup | ClassicGroup>;
  append(groupId: string, records: RecordInput[]): Promise<void>;
  log(line: string): void;
}

export class ConsumerPersistence {
  private readonly written = new WeakMap<ConsumerGroup, { fingerprint: string; memberIds: Set<string> }>();

  constructor(private readonly topics: TopicStore, private readonly host: ConsumerPersistenceHost) {}

  // ---- writing --------------------------------------------------------------------------------

  private toIds(assignment: Assignment): TopicIdPartitions {
    const out: TopicIdPartitions = [];
    for (const [topic, partitions] of assignment) {
      const topicId = this.topics.get(topic)?.topicId;
      if (topicId !== undefined) out.push({ topicId, partitions: [...partitions].sort((a, b) => a - b) });
    }
    return out;
  }

  private fingerprint(group: ConsumerGroup): string {
    const members = [...group.members.values()].map((m) => [
      m.memberId, m.memberEpoch, m.previousMemberEpoch, m.subscribedTopicNames, m.serverAssignor, m.instanceId, m.rebalanceTimeoutMs,
      this.toIds(m.assigned), this.toIds(m.revoking), this.toIds(group.targetOf(m.memberId)),
    ]);
    return JSON.stringify([group.groupEpoch, group.assignmentEpoch, members]);
  }

  private memberRecords(group: ConsumerGroup, member: ConsumerMember): RecordInput[] {
    const key = (type: number) => encodeConsumerKey(type, group.groupId, member.memberId);
    return [
      { key: key(Type.member), value: encodeMemberValue(member) },
      { key: key(Type.targetMember), value: encodeTargetValue(this.toIds(group.targetOf(member.memberId))) },
      {
        key: key(Type.currentAssignment),
        value: encodeCurrentAssignmentValue({
          memberEpoch: member.memberEpoch, previousMemberEpoch: member.previousMemberEpoch,
          state: member.revoking.size > 0 ? MEMBER_STATE_UNREVOKED : MEMBER_STATE_STABLE,
          assigned: this.toIds(member.assigned), pendingRevocation: this.toIds(member.revoking),
        }),
      },
    ];
  }

  private memberTombstones(groupId: string, memberId: string): RecordInput[] {
    return [Type.member, Type.targetMember, Type.currentAssignment].map((type) => ({ key: encodeConsumerKey(type, groupId, memberId), value: null }));
  }

  /** Writes the group when it changed since the last write (the first write also retires a classic record). */
  persist(group: ConsumerGroup): void {
    if (this.host.groups.get(group.groupId) !== group) return;
    const fingerprint = this.fingerprint(group);
    const previous = this.written.get(group);
    if (previous?.fingerprint === fingerprint) return;
    const records: RecordInput[] = previous === undefined ? [{ key: encodeGroupKey(group.groupId), value: null }] : [];
    for (const memberId of previous?.memberIds ?? []) if (!group.members.has(memberId)) records.push(...this.memberTombstones(group.groupId, memberId));
    for (const member of group.members.values()) records.push(...this.memberRecords(group, member));
    records.push({ key: encodeConsumerKey(Type.targetMetadata, group.groupId), value: encodeEpochValue(group.assignmentEpoch) });
    records.push({ key: encodeConsumerKey(Type.group, group.groupId), value: encodeEpochValue(group.groupEpoch) });
    this.written.set(group, { fingerprint, memberIds: new Set(group.members.keys()) });
    this.host.append(group.groupId, records).catch((err) => this.host.log(`rill: writing consumer group ${group.groupId} failed: ${String(err)}`));
  }

  /** Tombstones for every record of the group (DeleteGroups, expiry, conversion to classic). */
  tombstones(group: ConsumerGroup): RecordInput[] {
    const memberIds = new Set([...group.members.keys(), ...(this.written.get(group)?.memberIds ?? [])]);
    const records = [...memberIds].flatMap((memberId) => this.memberTombstones(group.groupId, memberId));
    records.push({ key: encodeConsumerKey(Type.targetMetadata, group.groupId), value: null });
    records.push({ key: encodeConsumerKey(Type.group, group.groupId), value: null });
    return records;
  }

  // ---- replay ---------------------------------------------------------------------------------

  /** Applies one record of types 3-8; false when the key is not a KIP-848 record. */
  apply(keyBytes: Buffer, value: Buffer | null): boolean {
    const key = decodeConsumerKey(keyBytes);
    if (key === undefined) return false;
    if (key.type === Type.group && value === null) {
      if (this.host.groups.get(key.groupId) instanceof ConsumerGroup) this.host.groups.delete(key.groupId);
      return true;
    }
    if (value === null && key.type !== Type.member) return true;
    const group = this.groupFor(key.groupId);
    if (key.memberId === null) return this.applyGroupRecord(group, key.type, value!);
    if (value === null) {
      group.members.delete(key.memberId);
      group.targetAssignment.delete(key.memberId);
      return true;
    }
    this.applyMemberRecord(group, key.type, key.memberId, value);
    return true;
  }

  private groupFor(groupId: string): ConsumerGroup {
    const existing = this.host.groups.get(groupId);
    if (existing instanceof ConsumerGroup) return existing;
    const group = new ConsumerGroup(groupId);
    this.host.groups.set(groupId, group);
    return group;
  }

  private applyGroupRecord(group: ConsumerGroup, type: number, value: Buffer): true {
    if (type === Type.group) group.groupEpoch = decodeEpochValue(value);
    if (type === Type.targetMetadata) group.assignmentEpoch = decodeEpochValue(value);
    return true;
  }

  private applyMemberRecord(group: ConsumerGroup, type: number, memberId: string, value: Buffer): void {
    const member = group.members.get(memberId) ?? blankMember(memberId);
    group.members.set(memberId, member);
    if (type === Type.member) Object.assign(member, decodeMemberValue(value));
    if (type === Type.targetMember) group.targetAssignment.set(memberId, this.toNames(decodeTargetValue(value)));
    if (type === Type.currentAssignment) {
      const current = decodeCurrentAssignmentValue(value);
      member.memberEpoch = current.memberEpoch;
      member.previousMemberEpoch = current.previousMemberEpoch;
      member.assigned = this.toNames(current.assigned);
      member.revoking = this.toNames(current.pendingRevocation);
    }
  }

  private toNames(topics: TopicIdPartitions): Assignment {
    const out: Assignment = new Map();
    for (const { topicId, partitions } of topics) {
      const name = this.topics.getById(topicId)?.name;
      if (name !== undefined) out.set(name, new Set(partitions));
    }
    return out;
  }

  /** After replay: the state as written counts as written. */
  markLoaded(group: ConsumerGroup): void {
    this.written.set(group, { fingerprint: this.fingerprint(group), memberIds: new Set(group.members.keys()) });
  }
}

function blankMember(memberId: string): ConsumerMember {
  return {
    memberId, instanceId: null, rackId: null, clientId: '', clientHost: '', memberEpoch: 0, previousMemberEpoch: 0, rebalanceTimeoutMs: 0,
    subscribedTopicNames: [], subscribedTopicRegex: null, serverAssignor: null, assigned: new Map(), revoking: new Map(),
    sessionTimer: undefined, rebalanceTimer: undefined,
  };
}
