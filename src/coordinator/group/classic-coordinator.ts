// The classic group protocol's state machine (JoinGroup, SyncGroup, Heartbeat, LeaveGroup):
// Empty -> PreparingRebalance -> CompletingRebalance -> Stable, back to PreparingRebalance when
// members come, go, change protocols or miss their session timeout. Semantics follow Kafka's
// ClassicGroup: KIP-394 member ids (MEMBER_ID_REQUIRED from JoinGroup v4), KIP-345 static
// members (a rejoining instance replaces its old member id; the old one is fenced with
// FENCED_INSTANCE_ID; a Stable group is not rebalanced), group.initial.rebalance.delay.ms for
// the first join of an empty group (extended while members keep arriving, up to the rebalance
// timeout), and Kafka's protocol vote.
import { randomUUID } from 'node:crypto';
import { ErrorCode } from '../../protocol/error-codes.js';
import {
  ClassicGroup,
  EMPTY_BYTES,
  sameProtocols,
  type ClassicMember,
  type JoinResult,
  type MemberProtocol,
  type SyncResult,
} from './classic-group.js';

export interface ClassicHost {
  /** The group, or undefined. A KIP-848 group is reported as 'other'. */
  classicGroup(groupId: string): ClassicGroup | 'other' | undefined;
  /** Replaces an empty KIP-848 group by a classic one (Kafka converts empty groups on join). */
  convertEmptyGroup(groupId: string): ClassicGroup | undefined;
  createClassicGroup(groupId: string): ClassicGroup;
  /** Writes the group's metadata record to __consumer_offsets. */
  persistGroup(group: ClassicGroup): Promise<void>;
  settings(): ClassicSettings;
  log(line: string): void;
}

export interface ClassicSettings {
  minSessionTimeoutMs: number;
  maxSessionTimeoutMs: number;
  initialRebalanceDelayMs: number;
  maxGroupSize: number;
}

export interface JoinRequest {
  groupId: string;
  memberId: string;
  groupInstanceId: string | null;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: MemberProtocol[];
  clientId: string;
  clientHost: string;
  /** JoinGroup v4+: an unknown member first gets MEMBER_ID_REQUIRED (KIP-394). */
  requireKnownMemberId: boolean;
}

export interface SyncRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  protocolType: string | null;
  protocolName: string | null;
  assignments: { memberId: string; assignment: Buffer }[];
}

export interface MemberIdentity {
  memberId: string;
  groupInstanceId: string | null;
}

export interface LeaveResult {
  errorCode: number;
  members: { memberId: string; groupInstanceId: string | null; errorCode: number }[];
}

export function joinError(errorCode: number, memberId = ''): JoinResult {
  return { errorCode, generationId: -1, protocolType: null, protocolName: null, leader: '', skipAssignment: false, memberId, members: [] };
}

function syncError(errorCode: number): SyncResult {
  return { errorCode, protocolType: null, protocolName: null, assignment: EMPTY_BYTES };
}

export class ClassicCoordinator {
  constructor(private readonly host: ClassicHost) {}

  // ---- JoinGroup ------------------------------------------------------------------------------

  async join(req: JoinRequest): Promise<JoinResult> {
    const invalid = this.validateJoin(req);
    if (invalid !== ErrorCode.NONE) return joinError(invalid, req.memberId);
    const found = this.joinableGroup(req.groupId);
    if (found === 'other') return joinError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, req.memberId);
    if (found === undefined && req.memberId !== '') return joinError(ErrorCode.UNKNOWN_MEMBER_ID, req.memberId);
    const group = found ?? this.host.createClassicGroup(req.groupId);
    if (group.state === 'Dead') return joinError(ErrorCode.COORDINATOR_NOT_AVAILABLE, req.memberId);
    return req.memberId === '' ? this.joinUnknownMember(group, req) : this.joinKnownMember(group, req);
  }

  private joinableGroup(groupId: string): ClassicGroup | 'other' | undefined {
    const found = this.host.classicGroup(groupId);
    if (found !== 'other') return found;
    return this.host.convertEmptyGroup(groupId) ?? 'other';
  }

  private validateJoin(req: JoinRequest): number {
    const settings = this.host.settings();
    if (req.groupId === '') return ErrorCode.INVALID_GROUP_ID;
    if (req.sessionTimeoutMs < settings.minSessionTimeoutMs || req.sessionTimeoutMs > settings.maxSessionTimeoutMs) return ErrorCode.INVALID_SESSION_TIMEOUT;
    return ErrorCode.NONE;
  }

  private isFull(group: ClassicGroup): boolean {
    return group.members.size + group.pendingMembers.size >= this.host.settings().maxGroupSize;
  }

  private joinUnknownMember(group: ClassicGroup, req: JoinRequest): Promise<JoinResult> | JoinResult {
    if (!group.supportsProtocols(req.protocolType, req.protocols.map((p) => p.name))) return joinError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    const newMemberId = `${req.clientId}-${randomUUID()}`;
    if (req.groupInstanceId !== null && group.staticMembers.has(req.groupInstanceId)) return this.replaceStaticMember(group, req, newMemberId);
    if (this.isFull(group)) return joinError(ErrorCode.GROUP_MAX_SIZE_REACHED);
    if (req.groupInstanceId === null && req.requireKnownMemberId) {
      this.addPendingMember(group, newMemberId, req.sessionTimeoutMs);
      return joinError(ErrorCode.MEMBER_ID_REQUIRED, newMemberId);
    }
    return this.addMemberAndRebalance(group, req, newMemberId);
  }

  private joinKnownMember(group: ClassicGroup, req: JoinRequest): Promise<JoinResult> | JoinResult {
    if (group.isStaticMemberFenced(req.groupInstanceId, req.memberId)) return joinError(ErrorCode.FENCED_INSTANCE_ID, req.memberId);
    const pendingTimer = group.pendingMembers.get(req.memberId);
    if (pendingTimer !== undefined) return this.joinPendingMember(group, req, pendingTimer);
    const member = group.members.get(req.memberId);
    if (member === undefined) return joinError(ErrorCode.UNKNOWN_MEMBER_ID, req.memberId);
    if (!group.supportsProtocols(req.protocolType, req.protocols.map((p) => p.name), member.memberId)) return joinError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, req.memberId);
    return this.rejoin(group, member, req);
  }

  private joinPendingMember(group: ClassicGroup, req: JoinRequest, pendingTimer: NodeJS.Timeout): Promise<JoinResult> | JoinResult {
    clearTimeout(pendingTimer);
    group.pendingMembers.delete(req.memberId);
    if (!group.supportsProtocols(req.protocolType, req.protocols.map((p) => p.name))) return joinError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, req.memberId);
    if (this.isFull(group)) return joinError(ErrorCode.GROUP_MAX_SIZE_REACHED, req.memberId);
    return this.addMemberAndRebalance(group, req, req.memberId);
  }

  private rejoin(group: ClassicGroup, member: ClassicMember, req: JoinRequest): Promise<JoinResult> | JoinResult {
    const unchanged = sameProtocols(member.protocols, req.protocols);
    if (group.state === 'CompletingRebalance' && unchanged) return this.currentGeneration(group, member);
    if (group.state === 'Stable' && unchanged && group.leaderId !== member.memberId) return this.currentGeneration(group, member);
    if (group.state === 'Empty') return joinError(ErrorCode.UNKNOWN_MEMBER_ID, req.memberId);
    updateMember(member, req);
    const result = this.awaitJoin(member);
    if (group.state === 'PreparingRebalance') this.maybeCompleteJoin(group);
    else this.prepareRebalance(group, `member ${member.memberId} rejoined`);
    return result;
  }

  private currentGeneration(group: ClassicGroup, member: ClassicMember): JoinResult {
    this.scheduleSession(group, member);
    const isLeader = group.leaderId === member.memberId;
    return {
      errorCode: ErrorCode.NONE,
      generationId: group.generationId,
      protocolType: group.protocolType,
      protocolName: group.protocolName,
      leader: group.leaderId ?? '',
      skipAssignment: false,
      memberId: member.memberId,
      members: isLeader ? this.memberList(group) : [],
    };
  }

  private memberList(group: ClassicGroup): JoinResult['members'] {
    return [...group.members.values()].map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: group.metadataFor(m, group.protocolName) }));
  }

  private addPendingMember(group: ClassicGroup, memberId: string, sessionTimeoutMs: number): void {
    const timer = setTimeout(() => {
      group.pendingMembers.delete(memberId);
      if (group.state === 'PreparingRebalance') this.maybeCompleteJoin(group);
    }, sessionTimeoutMs);
    timer.unref();
    group.pendingMembers.set(memberId, timer);
  }

  private addMemberAndRebalance(group: ClassicGroup, req: JoinRequest, memberId: string): Promise<JoinResult> {
    const member = newMember(req, memberId);
    group.members.set(memberId, member);
    if (member.groupInstanceId !== null) group.staticMembers.set(member.groupInstanceId, memberId);
    if (group.members.size === 1 || group.protocolType === null) group.protocolType = req.protocolType;
    group.leaderId ??= memberId;
    if (group.initialDelay !== undefined) group.initialDelay.memberAdded = true;
    const result = this.awaitJoin(member);
    if (group.state === 'PreparingRebalance') this.maybeCompleteJoin(group);
    else this.prepareRebalance(group, `member ${memberId} joined`);
    return result;
  }

  /** KIP-345: a known group.instance.id rejoining with no member id takes over its old slot. */
  private replaceStaticMember(group: ClassicGroup, req: JoinRequest, newMemberId: string): Promise<JoinResult> | JoinResult {
    const oldMemberId = group.staticMembers.get(req.groupInstanceId!)!;
    const old = group.members.get(oldMemberId)!;
    old.joinWaiter?.(joinError(ErrorCode.FENCED_INSTANCE_ID, oldMemberId));
    old.syncWaiter?.(syncError(ErrorCode.FENCED_INSTANCE_ID));
    clearTimeout(old.sessionTimer);
    group.members.delete(oldMemberId);
    if (group.pendingSync.delete(oldMemberId)) group.pendingSync.add(newMemberId);
    const member: ClassicMember = { ...old, memberId: newMemberId, joinWaiter: undefined, syncWaiter: undefined, sessionTimer: undefined };
    const protocolsChanged = !sameProtocols(old.protocols, req.protocols);
    updateMember(member, req);
    group.members.set(newMemberId, member);
    group.staticMembers.set(req.groupInstanceId!, newMemberId);
    if (group.leaderId === oldMemberId) group.leaderId = newMemberId;
    if (group.state === 'Stable' && !protocolsChanged) return this.staticRejoinStable(group, member);
    const result = this.awaitJoin(member);
    if (group.state === 'PreparingRebalance') this.maybeCompleteJoin(group);
    else this.prepareRebalance(group, `static member ${req.groupInstanceId} rejoined with new protocols`);
    return result;
  }

  /** A Stable group keeps its generation; the member gets its old assignment through SyncGroup. */
  private async staticRejoinStable(group: ClassicGroup, member: ClassicMember): Promise<JoinResult> {
    try {
      await this.host.persistGroup(group);
    } catch (err) {
      this.host.log(`rill: writing group ${group.groupId} failed: ${String(err)}`);
      return joinError(ErrorCode.COORDINATOR_NOT_AVAILABLE, member.memberId);
    }
    const result = this.currentGeneration(group, member);
    const isLeader = group.leaderId === member.memberId;
    return { ...result, skipAssignment: isLeader, members: isLeader ? this.memberList(group) : [] };
  }

  private awaitJoin(member: ClassicMember): Promise<JoinResult> {
    member.joinWaiter?.(joinError(ErrorCode.UNKNOWN_MEMBER_ID, member.memberId));
    return new Promise((resolve) => {
      member.joinWaiter = resolve;
    });
  }

  // ---- rebalance ----------------------------------------------------------------------------

  private prepareRebalance(group: ClassicGroup, reason: string): void {
    if (group.state === 'CompletingRebalance') this.resetAssignments(group, ErrorCode.REBALANCE_IN_PROGRESS);
    const wasEmpty = group.state === 'Empty';
    group.transitionTo('PreparingRebalance');
    clearTimeout(group.rebalanceTimer);
    this.host.log(`rill: group ${group.groupId} rebalancing (generation ${group.generationId}): ${reason}`);
    const rebalanceTimeoutMs = group.maxRebalanceTimeoutMs();
    const initialDelayMs = this.host.settings().initialRebalanceDelayMs;
    if (wasEmpty && initialDelayMs > 0) return this.startInitialDelay(group, initialDelayMs, rebalanceTimeoutMs);
    group.rebalanceTimer = unrefTimer(() => this.completeJoin(group), rebalanceTimeoutMs);
    this.maybeCompleteJoin(group);
  }

  private startInitialDelay(group: ClassicGroup, initialDelayMs: number, rebalanceTimeoutMs: number): void {
    const timer = unrefTimer(() => this.onInitialDelay(group, initialDelayMs), Math.min(initialDelayMs, rebalanceTimeoutMs));
    group.initialDelay = { timer, remainingMs: Math.max(rebalanceTimeoutMs - initialDelayMs, 0), memberAdded: false };
  }

  private onInitialDelay(group: ClassicGroup, initialDelayMs: number): void {
    const delay = group.initialDelay;
    if (delay === undefined) return;
    if (delay.memberAdded && delay.remainingMs > 0) {
      const nextDelayMs = Math.min(initialDelayMs, delay.remainingMs);
      delay.remainingMs = Math.max(delay.remainingMs - initialDelayMs, 0);
      delay.memberAdded = false;
      delay.timer = unrefTimer(() => this.onInitialDelay(group, initialDelayMs), nextDelayMs);
      return;
    }
    group.initialDelay = undefined;
    this.completeJoin(group);
  }

  private maybeCompleteJoin(group: ClassicGroup): void {
    if (group.state === 'PreparingRebalance' && group.initialDelay === undefined && group.hasAllMembersJoined()) this.completeJoin(group);
  }

  private completeJoin(group: ClassicGroup): void {
    if (group.state !== 'PreparingRebalance') return;
    clearTimeout(group.rebalanceTimer);
    if (group.initialDelay !== undefined) clearTimeout(group.initialDelay.timer);
    group.initialDelay = undefined;
    for (const member of [...group.members.values()]) if (member.joinWaiter === undefined) this.removeMember(group, member);
    group.generationId += 1;
    if (group.members.size === 0) return this.becomeEmpty(group);
    group.protocolName = group.selectProtocol();
    if (group.leaderId === null || !group.members.has(group.leaderId)) group.leaderId = group.members.keys().next().value!;
    group.transitionTo('CompletingRebalance');
    this.host.log(`rill: group ${group.groupId} generation ${group.generationId} with ${group.members.size} members (${group.protocolName})`);
    group.pendingSync.clear();
    for (const member of group.members.keys()) group.pendingSync.add(member);
    const generationId = group.generationId;
    group.rebalanceTimer = unrefTimer(() => this.onSyncTimeout(group, generationId), group.maxRebalanceTimeoutMs());
    for (const member of group.members.values()) this.answerJoin(group, member);
    this.persistQuietly(group);
  }

  /** Members that never sent SyncGroup within the rebalance timeout are removed, as in Kafka. */
  private onSyncTimeout(group: ClassicGroup, generationId: number): void {
    if (group.generationId !== generationId || group.pendingSync.size === 0) return;
    if (group.state !== 'CompletingRebalance' && group.state !== 'Stable') return;
    for (const memberId of [...group.pendingSync]) {
      const member = group.members.get(memberId);
      if (member !== undefined) this.removeMember(group, member);
    }
    group.pendingSync.clear();
    this.afterMemberRemoved(group, 'members did not sync within the rebalance timeout');
  }

  private becomeEmpty(group: ClassicGroup): void {
    group.protocolName = null;
    group.leaderId = null;
    group.transitionTo('Empty');
    this.persistQuietly(group);
  }

  private answerJoin(group: ClassicGroup, member: ClassicMember): void {
    const waiter = member.joinWaiter!;
    member.joinWaiter = undefined;
    waiter(this.currentGeneration(group, member));
  }

  private persistQuietly(group: ClassicGroup): void {
    this.host.persistGroup(group).catch((err) => this.host.log(`rill: writing group ${group.groupId} failed: ${String(err)}`));
  }

  private resetAssignments(group: ClassicGroup, errorCode: number): void {
    for (const member of group.members.values()) {
      member.assignment = EMPTY_BYTES;
      const waiter = member.syncWaiter;
      member.syncWaiter = undefined;
      waiter?.(syncError(errorCode));
    }
  }

  private removeMember(group: ClassicGroup, member: ClassicMember): void {
    clearTimeout(member.sessionTimer);
    group.pendingSync.delete(member.memberId);
    member.joinWaiter?.(joinError(ErrorCode.UNKNOWN_MEMBER_ID, member.memberId));
    member.syncWaiter?.(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
    member.joinWaiter = member.syncWaiter = undefined;
    group.members.delete(member.memberId);
    if (member.groupInstanceId !== null) group.staticMembers.delete(member.groupInstanceId);
    if (group.leaderId === member.memberId) group.leaderId = group.members.keys().next().value ?? null;
  }

  private afterMemberRemoved(group: ClassicGroup, reason: string): void {
    if (group.state === 'Stable' || group.state === 'CompletingRebalance') this.prepareRebalance(group, reason);
    else if (group.state === 'PreparingRebalance') this.maybeCompleteJoin(group);
  }

  // ---- sessions ---------------------------------------------------------------------------

  scheduleSession(group: ClassicGroup, member: ClassicMember): void {
    clearTimeout(member.sessionTimer);
    member.sessionTimer = unrefTimer(() => this.onSessionExpired(group, member.memberId), member.sessionTimeoutMs);
  }

  private onSessionExpired(group: ClassicGroup, memberId: string): void {
    const member = group.members.get(memberId);
    if (member === undefined) return;
    if (member.joinWaiter !== undefined || member.syncWaiter !== undefined) return this.scheduleSession(group, member);
    this.removeMember(group, member);
    this.afterMemberRemoved(group, `member ${memberId} missed its session timeout`);
  }

  /** Stops every timer of the group (shutdown or deletion). */
  stopTimers(group: ClassicGroup): void {
    clearTimeout(group.rebalanceTimer);
    if (group.initialDelay !== undefined) clearTimeout(group.initialDelay.timer);
    for (const timer of group.pendingMembers.values()) clearTimeout(timer);
    for (const member of group.members.values()) clearTimeout(member.sessionTimer);
  }

  // ---- SyncGroup ----------------------------------------------------------------------------

  async sync(req: SyncRequest): Promise<SyncResult> {
    const found = this.host.classicGroup(req.groupId);
    if (found === undefined || found === 'other') return syncError(ErrorCode.UNKNOWN_MEMBER_ID);
    const group = found;
    const invalid = this.validateSync(group, req);
    if (invalid !== ErrorCode.NONE) return syncError(invalid);
    const member = group.members.get(req.memberId)!;
    group.pendingSync.delete(member.memberId);
    this.scheduleSession(group, member);
    if (group.state === 'Stable') return this.assignmentOf(group, member);
    const result = new Promise<SyncResult>((resolve) => {
      member.syncWaiter = resolve;
    });
    if (group.leaderId === member.memberId) await this.applyLeaderAssignment(group, req);
    return result;
  }

  private validateSync(group: ClassicGroup, req: SyncRequest): number {
    if (group.state === 'Dead') return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (group.isStaticMemberFenced(req.groupInstanceId, req.memberId)) return ErrorCode.FENCED_INSTANCE_ID;
    if (!group.members.has(req.memberId)) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (req.generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    if (req.protocolType !== null && req.protocolType !== group.protocolType) return ErrorCode.INCONSISTENT_GROUP_PROTOCOL;
    if (req.protocolName !== null && req.protocolName !== group.protocolName) return ErrorCode.INCONSISTENT_GROUP_PROTOCOL;
    if (group.state === 'Empty') return ErrorCode.UNKNOWN_MEMBER_ID;
    if (group.state === 'PreparingRebalance') return ErrorCode.REBALANCE_IN_PROGRESS;
    return ErrorCode.NONE;
  }

  private assignmentOf(group: ClassicGroup, member: ClassicMember): SyncResult {
    return { errorCode: ErrorCode.NONE, protocolType: group.protocolType, protocolName: group.protocolName, assignment: member.assignment };
  }

  private async applyLeaderAssignment(group: ClassicGroup, req: SyncRequest): Promise<void> {
    const given = new Map(req.assignments.map((a) => [a.memberId, a.assignment]));
    for (const member of group.members.values()) member.assignment = given.get(member.memberId) ?? EMPTY_BYTES;
    const generationId = group.generationId;
    try {
      await this.host.persistGroup(group);
    } catch (err) {
      this.host.log(`rill: writing group ${group.groupId} failed: ${String(err)}`);
      if (group.state === 'CompletingRebalance' && group.generationId === generationId) this.prepareRebalance(group, 'group metadata write failed');
      return;
    }
    if (group.state !== 'CompletingRebalance' || group.generationId !== generationId) return;
    group.transitionTo('Stable');
    for (const member of group.members.values()) {
      const waiter = member.syncWaiter;
      member.syncWaiter = undefined;
      waiter?.(this.assignmentOf(group, member));
    }
  }

  // ---- Heartbeat ----------------------------------------------------------------------------

  heartbeat(req: { groupId: string; generationId: number; memberId: string; groupInstanceId: string | null }): number {
    const found = this.host.classicGroup(req.groupId);
    if (found === undefined || found === 'other') return ErrorCode.UNKNOWN_MEMBER_ID;
    const group = found;
    if (group.state === 'Dead') return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (group.isStaticMemberFenced(req.groupInstanceId, req.memberId)) return ErrorCode.FENCED_INSTANCE_ID;
    const member = group.members.get(req.memberId);
    if (member === undefined || group.state === 'Empty') return ErrorCode.UNKNOWN_MEMBER_ID;
    if (req.generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    this.scheduleSession(group, member);
    return group.state === 'PreparingRebalance' ? ErrorCode.REBALANCE_IN_PROGRESS : ErrorCode.NONE;
  }

  // ---- LeaveGroup ---------------------------------------------------------------------------

  leave(groupId: string, identities: readonly MemberIdentity[]): LeaveResult {
    const found = this.host.classicGroup(groupId);
    if (found === undefined || found === 'other') return { errorCode: ErrorCode.UNKNOWN_MEMBER_ID, members: [] };
    const group = found;
    if (group.state === 'Dead') return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, members: [] };
    const members = identities.map((identity) => ({ ...identity, errorCode: this.leaveOne(group, identity) }));
    if (members.some((m) => m.errorCode === ErrorCode.NONE)) this.afterMemberRemoved(group, 'members left');
    return { errorCode: ErrorCode.NONE, members };
  }

  private leaveOne(group: ClassicGroup, identity: MemberIdentity): number {
    const memberId = this.leavingMemberId(group, identity);
    if (typeof memberId === 'number') return memberId;
    const pending = group.pendingMembers.get(memberId);
    if (pending !== undefined) {
      clearTimeout(pending);
      group.pendingMembers.delete(memberId);
      return ErrorCode.NONE;
    }
    const member = group.members.get(memberId);
    if (member === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
    this.removeMember(group, member);
    return ErrorCode.NONE;
  }

  /** The member id to remove, or an error code. */
  private leavingMemberId(group: ClassicGroup, identity: MemberIdentity): string | number {
    if (identity.groupInstanceId === null) return identity.memberId;
    const current = group.staticMembers.get(identity.groupInstanceId);
    if (current === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (identity.memberId !== '' && identity.memberId !== current) return ErrorCode.FENCED_INSTANCE_ID;
    return current;
  }
}

function newMember(req: JoinRequest, memberId: string): ClassicMember {
  return {
    memberId,
    groupInstanceId: req.groupInstanceId,
    clientId: req.clientId,
    clientHost: req.clientHost,
    rebalanceTimeoutMs: req.rebalanceTimeoutMs,
    sessionTimeoutMs: req.sessionTimeoutMs,
    protocolType: req.protocolType,
    protocols: req.protocols,
    assignment: EMPTY_BYTES,
    joinWaiter: undefined,
    syncWaiter: undefined,
    sessionTimer: undefined,
  };
}

function updateMember(member: ClassicMember, req: JoinRequest): void {
  member.protocols = req.protocols;
  member.sessionTimeoutMs = req.sessionTimeoutMs;
  member.rebalanceTimeoutMs = req.rebalanceTimeoutMs;
  member.clientId = req.clientId;
  member.clientHost = req.clientHost;
}

function unrefTimer(fn: () => void, delayMs: number): NodeJS.Timeout {
  const timer = setTimeout(fn, Math.min(Math.max(delayMs, 0), 2 ** 31 - 1));
  timer.unref();
  return timer;
}
