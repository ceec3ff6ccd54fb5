// The group coordinator of a single-node broker: every group lives here (this node coordinates
// every __consumer_offsets partition). Holds classic groups (classic-coordinator.ts drives them)
// and KIP-848 consumer groups (consumer-coordinator.ts), committed offsets, and their durable
// copy in __consumer_offsets (replayed by load() before the listeners open).
import type { BrokerConfig } from '../../config/broker-config.js';
import type { PartitionLogs } from '../../handlers/partition-logs.js';
import type { TopicStore } from '../../handlers/topic-store.js';
import type { RecordInput } from '../../accel/types.js';
import { ClassicCoordinator, type ClassicHost, type ClassicSettings } from './classic-coordinator.js';
import { ClassicGroup, EMPTY_BYTES } from './classic-group.js';
import { ConsumerCoordinator } from './consumer-coordinator.js';
import { ConsumerGroup } from './consumer-group.js';
import { ConsumerPersistence } from './consumer-persistence.js';
import { OffsetStore } from './offset-store.js';
import {
  decodeGroupValue,
  decodeKey,
  decodeOffsetValue,
  encodeGroupKey,
  encodeGroupValue,
  encodeOffsetKey,
  type CommittedOffset,
  type StoredGroup,
} from './offsets-records.js';
import { OffsetsTopic } from './offsets-topic.js';

export type Group = ClassicGroup | ConsumerGroup;

export interface CoordinatorDeps {
  config: BrokerConfig;
  topics: TopicStore;
  logs: PartitionLogs;
  log: (line: string) => void;
}

/** The state name Kafka reports for a group (ListGroups, DescribeGroups). */
export function groupStateName(group: Group): string {
  return group.state;
}

export function groupTypeName(group: Group): 'classic' | 'consumer' {
  return group.kind;
}

export class GroupCoordinator implements ClassicHost {
  readonly groups = new Map<string, Group>();
  readonly offsets = new OffsetStore();
  readonly offsetsTopic: OffsetsTopic;
  readonly classic: ClassicCoordinator;
  readonly consumer: ConsumerCoordinator;
  /** KIP-848 group records in __consumer_offsets. */
  readonly consumerStore: ConsumerPersistence;
  private retentionTimer: NodeJS.Timeout | undefined;

  constructor(readonly deps: CoordinatorDeps) {
    this.offsetsTopic = new OffsetsTopic(deps);
    this.classic = new ClassicCoordinator(this);
    this.consumer = new ConsumerCoordinator(this);
    this.consumerStore = new ConsumerPersistence(deps.topics, {
      groups: this.groups,
      append: (groupId, records) => this.offsetsTopic.append(groupId, records),
      log: (line) => this.log(line),
    });
  }

  get config(): BrokerConfig {
    return this.deps.config;
  }

  log(line: string): void {
    this.deps.log(line);
  }

  settings(): ClassicSettings {
    const config = this.deps.config;
    return {
      minSessionTimeoutMs: config.number('group.min.session.timeout.ms'),
      maxSessionTimeoutMs: config.number('group.max.session.timeout.ms'),
      initialRebalanceDelayMs: config.number('group.initial.rebalance.delay.ms'),
      maxGroupSize: config.number('group.max.size'),
    };
  }

  // ---- groups -------------------------------------------------------------------------------

  classicGroup(groupId: string): ClassicGroup | 'other' | undefined {
    const group = this.groups.get(groupId);
    if (group === undefined) return undefined;
    return group.kind === 'classic' ? group : 'other';
  }

  convertEmptyGroup(groupId: string): ClassicGroup | undefined {
    const group = this.groups.get(groupId);
    if (group === undefined || group.kind !== 'consumer' || group.members.size > 0) return undefined;
    this.consumer.stopTimers(group);
    const tombstones = this.consumerStore.tombstones(group);
    this.offsetsTopic.append(groupId, tombstones).catch((err) => this.log(`rill: retiring consumer group ${groupId} failed: ${String(err)}`));
    return this.createClassicGroup(groupId);
  }

  createClassicGroup(groupId: string): ClassicGroup {
    const group = new ClassicGroup(groupId);
    this.groups.set(groupId, group);
    return group;
  }

  async persistGroup(group: ClassicGroup): Promise<void> {
    if (this.groups.get(group.groupId) !== group) return;
    await this.offsetsTopic.append(group.groupId, [{ key: encodeGroupKey(group.groupId), value: encodeGroupValue(storedGroupOf(group)) }]);
  }

  /** Removes a group and its offsets; writes tombstones. */
  async deleteGroup(group: Group): Promise<void> {
    const records: RecordInput[] = this.offsets.partitionsOf(group.groupId).map((o) => ({ key: encodeOffsetKey(group.groupId, o.topic, o.partition), value: null }));
    records.push({ key: encodeGroupKey(group.groupId), value: null });
    if (group.kind === 'consumer') records.push(...this.consumerStore.tombstones(group));
    this.stopGroupTimers(group);
    if (group.kind === 'classic') group.transitionTo('Dead');
    else group.dead = true;
    this.groups.delete(group.groupId);
    this.offsets.deleteGroup(group.groupId);
    await this.offsetsTopic.append(group.groupId, records);
  }

  private stopGroupTimers(group: Group): void {
    if (group.kind === 'classic') this.classic.stopTimers(group);
    else this.consumer.stopTimers(group);
  }

  /** Whether a group has no members (DeleteGroups accepts only these). */
  isEmpty(group: Group): boolean {
    return group.members.size === 0 && (group.kind === 'consumer' || group.state === 'Empty');
  }

  // ---- load and retention ---------------------------------------------------------------------

  /** Replays __consumer_offsets; call once before the broker accepts connections. */
  async load(): Promise<void> {
    const recordCount = await this.offsetsTopic.replay((key, value) => this.applyRecordSafely(key, value));
    for (const group of this.groups.values()) this.afterLoad(group);
    if (recordCount > 0) this.log(`rill: loaded ${this.groups.size} groups from ${recordCount} records of __consumer_offsets`);
  }

  /** A record Rill cannot read (a newer layout, damage) is logged and skipped, not fatal. */
  private applyRecordSafely(keyBytes: Buffer, value: Buffer | null): void {
    try {
      this.applyRecord(keyBytes, value);
    } catch (err) {
      this.log(`rill: skipping an unreadable __consumer_offsets record: ${String(err)}`);
    }
  }

  private applyRecord(keyBytes: Buffer, value: Buffer | null): void {
    const key = decodeKey(keyBytes);
    if (key === undefined) {
      this.consumerStore.apply(keyBytes, value);
      return;
    }
    if (key.kind === 'offset') {
      if (value === null) this.offsets.delete(key.groupId, key.topic, key.partition);
      else this.offsets.set(key.groupId, key.topic, key.partition, decodeOffsetValue(value));
      if (!this.groups.has(key.groupId) && value !== null) this.createClassicGroup(key.groupId);
      return;
    }
    if (value === null) this.groups.delete(key.groupId);
    else this.restoreClassicGroup(key.groupId, decodeGroupValue(value));
  }

  private restoreClassicGroup(groupId: string, stored: StoredGroup): void {
    const group = this.createClassicGroup(groupId);
    group.generationId = stored.generationId;
    group.protocolType = stored.protocolType === '' ? null : stored.protocolType;
    group.protocolName = stored.protocolName;
    group.leaderId = stored.leaderId;
    for (const m of stored.members) {
      group.members.set(m.memberId, {
        memberId: m.memberId, groupInstanceId: m.groupInstanceId, clientId: m.clientId, clientHost: m.clientHost,
        rebalanceTimeoutMs: m.rebalanceTimeoutMs, sessionTimeoutMs: m.sessionTimeoutMs, protocolType: stored.protocolType,
        protocols: [{ name: stored.protocolName ?? '', metadata: m.subscription }], assignment: m.assignment,
        joinWaiter: undefined, syncWaiter: undefined, sessionTimer: undefined,
      });
      if (m.groupInstanceId !== null) group.staticMembers.set(m.groupInstanceId, m.memberId);
    }
    group.transitionTo(group.members.size > 0 ? 'Stable' : 'Empty');
    if (stored.stateTimestampMs > 0) group.stateSinceMs = stored.stateTimestampMs;
  }

  private afterLoad(group: Group): void {
    if (group.kind === 'consumer') {
      this.consumerStore.markLoaded(group);
      return this.consumer.afterLoad(group);
    }
    for (const member of group.members.values()) this.classic.scheduleSession(group, member);
  }

  /** Starts the periodic offsets.retention.minutes expiry. */
  startRetention(): void {
    const intervalMs = Math.min(this.deps.config.number('offsets.retention.check.interval.ms'), 2 ** 31 - 1);
    this.retentionTimer = setInterval(() => {
      this.expireOffsets(Date.now()).catch((err) => this.log(`rill: offset expiry failed: ${String(err)}`));
    }, intervalMs);
    this.retentionTimer.unref();
  }

  /**
   * Removes offsets of empty groups older than offsets.retention.minutes (Kafka's KIP-211 rule),
   * and offsets of topics that no longer exist (Kafka drops those when the topic is deleted).
   */
  async expireOffsets(nowMs: number): Promise<number> {
    const retentionMs = this.deps.config.number('offsets.retention.minutes') * 60_000;
    let expired = 0;
    for (const groupId of this.offsets.groupIds()) expired += await this.expireGroupOffsets(groupId, nowMs, retentionMs);
    return expired;
  }

  private async expireGroupOffsets(groupId: string, nowMs: number, retentionMs: number): Promise<number> {
    const group = this.groups.get(groupId);
    const expirable = group === undefined || this.isEmpty(group);
    const emptySinceMs = group?.stateSinceMs ?? 0;
    const stale = this.offsets.partitionsOf(groupId).filter((o) => this.deps.topics.get(o.topic) === undefined
      || (expirable && isExpired(o.value, emptySinceMs, retentionMs, nowMs)));
    if (stale.length === 0) return 0;
    for (const o of stale) this.offsets.delete(groupId, o.topic, o.partition);
    const records: RecordInput[] = stale.map((o) => ({ key: encodeOffsetKey(groupId, o.topic, o.partition), value: null }));
    await this.offsetsTopic.append(groupId, records);
    if (group !== undefined && expirable && !this.offsets.hasOffsets(groupId)) await this.deleteGroup(group);
    return stale.length;
  }

  /** Stops timers; the logs are closed by the broker. */
  close(): void {
    clearInterval(this.retentionTimer);
    for (const group of this.groups.values()) this.stopGroupTimers(group);
  }
}

/** KIP-211: an empty group's offsets expire retention after the later of commit and emptiness. */
function isExpired(value: CommittedOffset, emptySinceMs: number, retentionMs: number, nowMs: number): boolean {
  if (value.expireTimestampMs > 0 && value.expireTimestampMs <= nowMs) return true;
  return Math.max(value.commitTimestampMs, emptySinceMs) + retentionMs <= nowMs;
}

function storedGroupOf(group: ClassicGroup): StoredGroup {
  return {
    protocolType: group.protocolType ?? '',
    generationId: group.generationId,
    protocolName: group.protocolName,
    leaderId: group.leaderId,
    stateTimestampMs: group.stateSinceMs,
    members: [...group.members.values()].map((m) => ({
      memberId: m.memberId, groupInstanceId: m.groupInstanceId, clientId: m.clientId, clientHost: m.clientHost,
      rebalanceTimeoutMs: m.rebalanceTimeoutMs, sessionTimeoutMs: m.sessionTimeoutMs,
      subscription: group.metadataFor(m, group.protocolName), assignment: m.assignment ?? EMPTY_BYTES,
    })),
  };
}
