// KIP-848 consumer groups: ConsumerGroupHeartbeat drives everything. A member joins with epoch
// 0, leaves with -1 (-2: a static member leaving temporarily). A change of membership,
// subscriptions or subscribed topics' partition counts bumps the group epoch and the assignor
// computes a new target assignment at once. Each member then reconciles toward its target:
// partitions it must give up are revoked first (its epoch stays until its heartbeat no longer
// lists them), and partitions still held by another member are only handed over once released.
// Sessions: group.consumer.session.timeout.ms; a member that does not revoke within its
// rebalance timeout is removed. Static members (instance id) leaving with -2 keep their
// assignment until their session ends; their instance rejoining takes it over without a new
// group epoch; another member with an instance id still in use gets UNRELEASED_INSTANCE_ID.
// Durability: group epoch, target assignment and each member's metadata, target and current
// assignment are written to __consumer_offsets in Kafka's record layouts after every change
// (consumer-persistence.ts) and restored at start; restored members keep their epochs and must
// heartbeat within their session timeout.
// Departures from Kafka: regex subscriptions are not supported (INVALID_REQUEST); rack-aware
// assignment is not done; the subscribed-topic partition metadata record (type 4) is not
// written (it is recomputed from the topic store).
import { randomUUID } from 'node:crypto';
import { ErrorCode } from '../../protocol/error-codes.js';
import { Reader, readConsumerProtocolSubscription } from '../../protocol/index.js';
import type { ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse } from '../../protocol/index.js';
import { assignors } from './assignors.js';
import {
  ConsumerGroup,
  copyAssignment,
  intersectAssignment,
  sameAssignment,
  subtractAssignment,
  type Assignment,
  type ConsumerMember,
} from './consumer-group.js';
import type { GroupCoordinator } from './coordinator.js';

const LEAVE_EPOCH = -1;
const STATIC_LEAVE_EPOCH = -2;

type HeartbeatResponse = Omit<ConsumerGroupHeartbeatResponse, 'throttleTimeMs'>;

export interface HeartbeatContext {
  clientId: string;
  clientHost: string;
  version: number;
}

function errorResponse(errorCode: number, errorMessage: string | null, memberId: string | null = null): HeartbeatResponse {
  return { errorCode, errorMessage, memberId, memberEpoch: -1, heartbeatIntervalMs: 0, assignment: null };
}

export class ConsumerCoordinator {
  /** The assignment last sent to each member. */
  private readonly sent = new WeakMap<ConsumerMember, Assignment>();

  constructor(private readonly coordinator: GroupCoordinator) {}

  private get config() {
    return this.coordinator.config;
  }

  heartbeat(req: ConsumerGroupHeartbeatRequest, ctx: HeartbeatContext): HeartbeatResponse {
    const response = this.handleHeartbeat(req, ctx);
    const group = this.coordinator.groups.get(req.groupId);
    if (group?.kind === 'consumer') this.coordinator.consumerStore.persist(group);
    return response;
  }

  /** Schedules the sessions of members restored from __consumer_offsets. */
  afterLoad(group: ConsumerGroup): void {
    this.metadataSignatures.set(group, this.signatureOf(this.partitionCounts(group)));
    group.assignorName = this.chooseAssignor(group);
    for (const member of group.members.values()) this.scheduleSession(group, member);
  }

  private handleHeartbeat(req: ConsumerGroupHeartbeatRequest, ctx: HeartbeatContext): HeartbeatResponse {
    const invalid = this.validate(req, ctx.version);
    if (invalid !== null) return errorResponse(ErrorCode.INVALID_REQUEST, invalid, req.memberId || null);
    const existing = this.coordinator.groups.get(req.groupId);
    if (existing !== undefined && existing.kind !== 'consumer' && !this.coordinator.isEmpty(existing)) {
      return errorResponse(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${req.groupId} is not a consumer group.`, req.memberId || null);
    }
    if (req.memberEpoch === LEAVE_EPOCH || req.memberEpoch === STATIC_LEAVE_EPOCH) return this.leave(req, existing?.kind === 'consumer' ? existing : undefined);
    if (req.serverAssignor !== null && !this.enabledAssignors().includes(req.serverAssignor)) {
      return errorResponse(ErrorCode.UNSUPPORTED_ASSIGNOR, `Assignor ${req.serverAssignor} is not supported.`, req.memberId || null);
    }
    if (req.memberEpoch === 0) return this.join(req, ctx, existing?.kind === 'consumer' ? existing : this.createGroup(req.groupId));
    if (existing?.kind !== 'consumer') return errorResponse(ErrorCode.UNKNOWN_MEMBER_ID, null, req.memberId);
    return this.continueMember(req, existing);
  }

  private validate(req: ConsumerGroupHeartbeatRequest, version: number): string | null {
    if (req.groupId === '') return 'GroupId can\'t be empty.';
    if (req.memberEpoch > 0 && req.memberId === '') return 'MemberId can\'t be empty.';
    if (version >= 1 && req.memberId === '') return 'MemberId can\'t be empty.';
    if (req.subscribedTopicRegex !== null && req.subscribedTopicRegex !== '') return 'Regular expression subscriptions are not supported by Rill.';
    if (req.memberEpoch === 0 && req.subscribedTopicNames === null) return 'SubscribedTopicNames must be set in first request.';
    if (req.memberEpoch === 0 && req.rebalanceTimeoutMs === -1) return 'RebalanceTimeoutMs must be provided in first request.';
    if (req.memberEpoch < STATIC_LEAVE_EPOCH) return `MemberEpoch ${req.memberEpoch} is invalid.`;
    return null;
  }

  private enabledAssignors(): string[] {
    return this.config.list('group.consumer.assignors');
  }

  private createGroup(groupId: string): ConsumerGroup {
    const previous = this.coordinator.groups.get(groupId);
    const group = new ConsumerGroup(groupId);
    group.assignorName = this.enabledAssignors()[0] ?? 'uniform';
    if (previous !== undefined) group.stateSinceMs = previous.stateSinceMs;
    this.coordinator.groups.set(groupId, group);
    return group;
  }

  // ---- join / leave ---------------------------------------------------------------------------

  private join(req: ConsumerGroupHeartbeatRequest, ctx: HeartbeatContext, group: ConsumerGroup): HeartbeatResponse {
    if (group.members.size >= this.config.number('group.consumer.max.size') && !group.members.has(req.memberId)) {
      return errorResponse(ErrorCode.GROUP_MAX_SIZE_REACHED, 'The consumer group has reached its maximum size.', req.memberId || null);
    }
    const memberId = req.memberId !== '' ? req.memberId : randomUUID().replace(/-/g, '').slice(0, 22);
    const instance = this.staticInstance(group, req.instanceId);
    if (instance !== undefined && instance.memberEpoch !== STATIC_LEAVE_EPOCH && instance.memberId !== memberId) {
      return errorResponse(ErrorCode.UNRELEASED_INSTANCE_ID, `Static member ${req.instanceId} has not left the group.`, req.memberId || null);
    }
    if (instance !== undefined && instance.memberEpoch === STATIC_LEAVE_EPOCH) return this.takeOverStatic(group, instance, req, memberId);
    this.replacePrevious(group, req, memberId);
    const member = this.newMember(req, ctx, memberId);
    group.members.set(memberId, member);
    this.refreshTarget(group, true);
    return this.reconcileAndRespond(group, member, req);
  }

  private staticInstance(group: ConsumerGroup, instanceId: string | null): ConsumerMember | undefined {
    if (instanceId === null) return undefined;
    for (const member of group.members.values()) if (member.instanceId === instanceId) return member;
    return undefined;
  }

  /** A static member back after leaving with epoch -2 keeps its assignment; the group epoch stays. */
  private takeOverStatic(group: ConsumerGroup, old: ConsumerMember, req: ConsumerGroupHeartbeatRequest, memberId: string): HeartbeatResponse {
    clearTimeout(old.sessionTimer);
    group.members.delete(old.memberId);
    const target = group.targetAssignment.get(old.memberId);
    group.targetAssignment.delete(old.memberId);
    const member: ConsumerMember = { ...old, memberId, memberEpoch: 0, previousMemberEpoch: 0, sessionTimer: undefined, rebalanceTimer: undefined };
    this.updateSubscription(member, req);
    group.members.set(memberId, member);
    if (target !== undefined) group.targetAssignment.set(memberId, target);
    this.refreshTarget(group, false);
    return this.reconcileAndRespond(group, member, req);
  }

  /** A rejoin with epoch 0 replaces the member's old incarnation (and a static instance's). */
  private replacePrevious(group: ConsumerGroup, req: ConsumerGroupHeartbeatRequest, memberId: string): void {
    const old = group.members.get(memberId);
    if (old !== undefined) this.removeMember(group, old);
    if (req.instanceId === null) return;
    for (const member of group.members.values()) if (member.instanceId === req.instanceId) this.removeMember(group, member);
  }

  private newMember(req: ConsumerGroupHeartbeatRequest, ctx: HeartbeatContext, memberId: string): ConsumerMember {
    return {
      memberId,
      instanceId: req.instanceId,
      rackId: req.rackId,
      clientId: ctx.clientId,
      clientHost: ctx.clientHost,
      memberEpoch: 0,
      previousMemberEpoch: 0,
      rebalanceTimeoutMs: req.rebalanceTimeoutMs,
      subscribedTopicNames: [...(req.subscribedTopicNames ?? [])],
      subscribedTopicRegex: null,
      serverAssignor: req.serverAssignor,
      assigned: new Map(),
      revoking: new Map(),
      sessionTimer: undefined,
      rebalanceTimer: undefined,
    };
  }

  private leave(req: ConsumerGroupHeartbeatRequest, group: ConsumerGroup | undefined): HeartbeatResponse {
    const member = group?.members.get(req.memberId);
    if (group === undefined || member === undefined) return errorResponse(ErrorCode.UNKNOWN_MEMBER_ID, null, req.memberId);
    if (req.memberEpoch === STATIC_LEAVE_EPOCH && member.instanceId !== null) return this.leaveStatically(group, member);
    this.removeMember(group, member);
    this.refreshTarget(group, true);
    return { errorCode: ErrorCode.NONE, errorMessage: null, memberId: req.memberId, memberEpoch: req.memberEpoch, heartbeatIntervalMs: 0, assignment: null };
  }

  /** Kept with its assignment until its session times out, for its instance to come back. */
  private leaveStatically(group: ConsumerGroup, member: ConsumerMember): HeartbeatResponse {
    member.memberEpoch = STATIC_LEAVE_EPOCH;
    clearTimeout(member.rebalanceTimer);
    this.scheduleSession(group, member);
    return { errorCode: ErrorCode.NONE, errorMessage: null, memberId: member.memberId, memberEpoch: STATIC_LEAVE_EPOCH, heartbeatIntervalMs: 0, assignment: null };
  }

  private removeMember(group: ConsumerGroup, member: ConsumerMember): void {
    clearTimeout(member.sessionTimer);
    clearTimeout(member.rebalanceTimer);
    group.members.delete(member.memberId);
    group.targetAssignment.delete(member.memberId);
    if (group.members.size === 0) group.stateSinceMs = Date.now();
  }

  // ---- heartbeat of a known member --------------------------------------------------------------

  private continueMember(req: ConsumerGroupHeartbeatRequest, group: ConsumerGroup): HeartbeatResponse {
    const member = group.members.get(req.memberId);
    if (member === undefined) return errorResponse(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${req.memberId} is not a member of group ${req.groupId}.`, req.memberId);
    if (!this.epochAccepted(member, req)) return errorResponse(ErrorCode.FENCED_MEMBER_EPOCH, `Member epoch ${req.memberEpoch} does not match ${member.memberEpoch}.`, req.memberId);
    const subscriptionChanged = this.updateSubscription(member, req);
    this.refreshTarget(group, subscriptionChanged);
    return this.reconcileAndRespond(group, member, req);
  }

  /** The current epoch, or the previous one when the member's heartbeat carrying the bump was lost. */
  private epochAccepted(member: ConsumerMember, req: ConsumerGroupHeartbeatRequest): boolean {
    if (req.memberEpoch === member.memberEpoch) return true;
    if (req.memberEpoch !== member.previousMemberEpoch || req.topicPartitions === null) return false;
    const owned = this.ownedOf(req);
    return owned !== undefined && sameAssignment(intersectAssignment(owned, member.assigned), owned);
  }

  private updateSubscription(member: ConsumerMember, req: ConsumerGroupHeartbeatRequest): boolean {
    if (req.rebalanceTimeoutMs !== -1) member.rebalanceTimeoutMs = req.rebalanceTimeoutMs;
    if (req.serverAssignor !== null) member.serverAssignor = req.serverAssignor;
    if (req.subscribedTopicNames === null) return false;
    const next = [...req.subscribedTopicNames].sort();
    const same = next.length === member.subscribedTopicNames.length && [...member.subscribedTopicNames].sort().every((t, i) => t === next[i]);
    member.subscribedTopicNames = next;
    return !same;
  }

  // ---- target assignment ----------------------------------------------------------------------

  /** Subscribed topic -> partition count, for the topics that exist. */
  private partitionCounts(group: ConsumerGroup): Map<string, number> {
    const counts = new Map<string, number>();
    for (const topic of group.subscribedTopics()) {
      const metadata = this.coordinator.deps.topics.get(topic);
      if (metadata !== undefined) counts.set(topic, metadata.partitionCount);
    }
    return counts;
  }

  private readonly metadataSignatures = new WeakMap<ConsumerGroup, string>();

  private signatureOf(counts: Map<string, number>): string {
    return JSON.stringify([...counts].sort());
  }

  /** Bumps the group epoch and recomputes the target when membership, subscriptions or topics changed. */
  private refreshTarget(group: ConsumerGroup, changed: boolean): void {
    const counts = this.partitionCounts(group);
    const signature = this.signatureOf(counts);
    if (!changed && this.metadataSignatures.get(group) === signature) return;
    this.metadataSignatures.set(group, signature);
    group.groupEpoch += 1;
    group.assignorName = this.chooseAssignor(group);
    const assignor = assignors.get(group.assignorName) ?? assignors.get('uniform')!;
    const members = [...group.members.values()].map((m) => ({ memberId: m.memberId, subscribedTopicNames: m.subscribedTopicNames }));
    group.targetAssignment = assignor({ members, partitionCounts: counts, previous: group.targetAssignment });
    group.assignmentEpoch = group.groupEpoch;
  }

  /** The assignor most members asked for, else the first enabled one. */
  private chooseAssignor(group: ConsumerGroup): string {
    const votes = new Map<string, number>();
    for (const member of group.members.values()) if (member.serverAssignor !== null) votes.set(member.serverAssignor, (votes.get(member.serverAssignor) ?? 0) + 1);
    let best = this.enabledAssignors()[0] ?? 'uniform';
    let bestVotes = 0;
    for (const [name, count] of votes) if (count > bestVotes) [best, bestVotes] = [name, count];
    return best;
  }

  // ---- reconciliation -------------------------------------------------------------------------

  private ownedOf(req: ConsumerGroupHeartbeatRequest): Assignment | undefined {
    if (req.topicPartitions === null) return undefined;
    const owned: Assignment = new Map();
    for (const tp of req.topicPartitions) {
      const topic = this.coordinator.deps.topics.getById(tp.topicId);
      if (topic !== undefined) owned.set(topic.name, new Set(tp.partitions));
    }
    return owned;
  }

  /** Partitions held (assigned or still being revoked) by members other than `self`. */
  private heldByOthers(group: ConsumerGroup, self: ConsumerMember): Assignment {
    const held: Assignment = new Map();
    for (const member of group.members.values()) {
      if (member === self) continue;
      for (const source of [member.assigned, member.revoking]) {
        for (const [topic, partitions] of source) for (const p of partitions) addPartition(held, topic, p);
      }
    }
    return held;
  }

  private reconcile(group: ConsumerGroup, member: ConsumerMember, owned: Assignment | undefined): void {
    if (member.revoking.size > 0) {
      const stillOwned = owned === undefined ? member.revoking : intersectAssignment(owned, member.revoking);
      if (stillOwned.size > 0) return;
      member.revoking = new Map();
      clearTimeout(member.rebalanceTimer);
    }
    const target = group.targetOf(member.memberId);
    const toRevoke = subtractAssignment(member.assigned, target);
    if (toRevoke.size > 0) return this.startRevoking(group, member, toRevoke);
    const free = subtractAssignment(target, this.heldByOthers(group, member));
    member.assigned = mergeAssignment(intersectAssignment(member.assigned, target), free);
    if (member.memberEpoch !== group.assignmentEpoch) {
      member.previousMemberEpoch = member.memberEpoch;
      member.memberEpoch = group.assignmentEpoch;
    }
  }

  private startRevoking(group: ConsumerGroup, member: ConsumerMember, toRevoke: Assignment): void {
    member.revoking = toRevoke;
    member.assigned = subtractAssignment(member.assigned, toRevoke);
    clearTimeout(member.rebalanceTimer);
    member.rebalanceTimer = setTimeout(() => this.expire(group, member, 'did not revoke within its rebalance timeout'), Math.max(member.rebalanceTimeoutMs, 1));
    member.rebalanceTimer.unref();
  }

  private reconcileAndRespond(group: ConsumerGroup, member: ConsumerMember, req: ConsumerGroupHeartbeatRequest): HeartbeatResponse {
    this.reconcile(group, member, this.ownedOf(req));
    this.scheduleSession(group, member);
    const changed = this.mustSendAssignment(member, req);
    if (changed) this.sent.set(member, copyAssignment(member.assigned));
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      memberId: member.memberId,
      memberEpoch: member.memberEpoch,
      heartbeatIntervalMs: this.config.number('group.consumer.heartbeat.interval.ms'),
      assignment: changed ? { topicPartitions: this.toWire(member.assigned) } : null,
    };
  }

  /** On join, when the assignment changed since last sent, or when the member reports something else. */
  private mustSendAssignment(member: ConsumerMember, req: ConsumerGroupHeartbeatRequest): boolean {
    if (req.memberEpoch === 0) return true;
    const previouslySent = this.sent.get(member);
    if (previouslySent === undefined || !sameAssignment(previouslySent, member.assigned)) return true;
    const owned = this.ownedOf(req);
    return owned !== undefined && !sameAssignment(owned, member.assigned);
  }

  private toWire(assignment: Assignment): { topicId: string; partitions: number[] }[] {
    const out: { topicId: string; partitions: number[] }[] = [];
    for (const [topic, partitions] of assignment) {
      const metadata = this.coordinator.deps.topics.get(topic);
      if (metadata !== undefined) out.push({ topicId: metadata.topicId, partitions: [...partitions].sort((a, b) => a - b) });
    }
    return out;
  }

  // ---- sessions -------------------------------------------------------------------------------

  private scheduleSession(group: ConsumerGroup, member: ConsumerMember): void {
    clearTimeout(member.sessionTimer);
    member.sessionTimer = setTimeout(() => this.expire(group, member, 'missed its session timeout'), this.config.number('group.consumer.session.timeout.ms'));
    member.sessionTimer.unref();
  }

  private expire(group: ConsumerGroup, member: ConsumerMember, reason: string): void {
    if (group.members.get(member.memberId) !== member) return;
    this.coordinator.log(`rill: consumer group ${group.groupId}: member ${member.memberId} ${reason}`);
    this.removeMember(group, member);
    this.refreshTarget(group, true);
    this.coordinator.consumerStore.persist(group);
  }

  stopTimers(group: ConsumerGroup): void {
    for (const member of group.members.values()) {
      clearTimeout(member.sessionTimer);
      clearTimeout(member.rebalanceTimer);
    }
  }

  /** Topics of a classic consumer-protocol subscription (for OffsetDelete); [] when unreadable. */
  decodeSubscribedTopics(metadata: Buffer): string[] {
    if (metadata.length < 2) return [];
    try {
      const version = Math.min(metadata.readInt16BE(0), 3);
      return readConsumerProtocolSubscription(new Reader(metadata, 2), version).topics;
    } catch {
      return [];
    }
  }
}

function addPartition(assignment: Assignment, topic: string, partition: number): void {
  let partitions = assignment.get(topic);
  if (partitions === undefined) assignment.set(topic, (partitions = new Set()));
  partitions.add(partition);
}

function mergeAssignment(a: Assignment, b: Assignment): Assignment {
  const out = copyAssignment(a);
  for (const [topic, partitions] of b) for (const p of partitions) addPartition(out, topic, p);
  return out;
}
