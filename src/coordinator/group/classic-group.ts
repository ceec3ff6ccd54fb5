// A classic (JoinGroup/SyncGroup) group's state: members, generation, chosen protocol, leader,
// and the waiters of in-flight JoinGroup and SyncGroup requests. The state machine that moves it
// lives in classic-coordinator.ts; this file holds data and pure helpers.

export type ClassicState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

export interface JoinResult {
  errorCode: number;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leader: string;
  skipAssignment: boolean;
  memberId: string;
  members: { memberId: string; groupInstanceId: string | null; metadata: Buffer }[];
}

export interface SyncResult {
  errorCode: number;
  protocolType: string | null;
  protocolName: string | null;
  assignment: Buffer;
}

export interface MemberProtocol {
  name: string;
  metadata: Buffer;
}

export interface ClassicMember {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  protocolType: string;
  protocols: MemberProtocol[];
  assignment: Buffer;
  joinWaiter: ((result: JoinResult) => void) | undefined;
  syncWaiter: ((result: SyncResult) => void) | undefined;
  sessionTimer: NodeJS.Timeout | undefined;
}

export const EMPTY_BYTES = Buffer.alloc(0);

export class ClassicGroup {
  readonly kind = 'classic';
  state: ClassicState = 'Empty';
  stateSinceMs = Date.now();
  generationId = 0;
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId: string | null = null;
  readonly members = new Map<string, ClassicMember>();
  /** group.instance.id -> member id of static members. */
  readonly staticMembers = new Map<string, string>();
  /** Member ids handed out with MEMBER_ID_REQUIRED, expiring after the session timeout. */
  readonly pendingMembers = new Map<string, NodeJS.Timeout>();
  /** Fires at the end of the rebalance timeout (PreparingRebalance), or of the sync wait after it. */
  rebalanceTimer: NodeJS.Timeout | undefined;
  /** Members of this generation that have not sent SyncGroup yet (Kafka's pending-sync set). */
  readonly pendingSync = new Set<string>();
  /** Set while group.initial.rebalance.delay.ms holds the first join of an empty group. */
  initialDelay: { timer: NodeJS.Timeout; remainingMs: number; memberAdded: boolean } | undefined;

  constructor(readonly groupId: string) {}

  transitionTo(state: ClassicState): void {
    this.state = state;
    this.stateSinceMs = Date.now();
  }

  get awaitingJoinCount(): number {
    let count = 0;
    for (const member of this.members.values()) if (member.joinWaiter !== undefined) count++;
    return count;
  }

  hasAllMembersJoined(): boolean {
    return this.members.size === this.awaitingJoinCount && this.pendingMembers.size === 0;
  }

  maxRebalanceTimeoutMs(): number {
    let timeoutMs = 0;
    for (const member of this.members.values()) timeoutMs = Math.max(timeoutMs, member.rebalanceTimeoutMs);
    return timeoutMs;
  }

  /** Protocols every member (but `excludedMemberId`) supports, in the first one's order of preference. */
  candidateProtocols(excludedMemberId?: string): string[] {
    const members = [...this.members.values()].filter((m) => m.memberId !== excludedMemberId);
    if (members.length === 0) return [];
    return members[0]!.protocols.map((p) => p.name).filter((name) => members.every((m) => m.protocols.some((p) => p.name === name)));
  }

  /**
   * Whether a member's protocols fit the group: a non-empty type equal to the group's and at
   * least one protocol every other member supports (a rejoining member's own are not counted).
   */
  supportsProtocols(protocolType: string, protocolNames: readonly string[], memberId?: string): boolean {
    if (protocolType.length === 0 || protocolNames.length === 0) return false;
    const others = [...this.members.keys()].filter((id) => id !== memberId).length;
    if (others === 0) return true;
    if (this.protocolType !== protocolType) return false;
    const candidates = this.candidateProtocols(memberId);
    return protocolNames.some((name) => candidates.includes(name));
  }

  /** Kafka's choice: among protocols all members support, each member votes for its most preferred one. */
  selectProtocol(): string {
    const candidates = this.candidateProtocols();
    if (candidates.length === 0) throw new Error(`rill: group ${this.groupId} has no common protocol`);
    const votes = new Map<string, number>(candidates.map((name) => [name, 0]));
    for (const member of this.members.values()) {
      const choice = member.protocols.find((p) => candidates.includes(p.name))!.name;
      votes.set(choice, votes.get(choice)! + 1);
    }
    let best = candidates[0]!;
    for (const name of candidates) if (votes.get(name)! > votes.get(best)!) best = name;
    return best;
  }

  metadataFor(member: ClassicMember, protocolName: string | null): Buffer {
    return member.protocols.find((p) => p.name === protocolName)?.metadata ?? EMPTY_BYTES;
  }

  /** A static member is fenced when its instance id now belongs to another member id. */
  isStaticMemberFenced(groupInstanceId: string | null, memberId: string): boolean {
    if (groupInstanceId === null) return false;
    const current = this.staticMembers.get(groupInstanceId);
    return current !== undefined && current !== memberId;
  }
}

export function sameProtocols(a: readonly MemberProtocol[], b: readonly MemberProtocol[]): boolean {
  return a.length === b.length && a.every((p, i) => p.name === b[i]!.name && p.metadata.equals(b[i]!.metadata));
}
