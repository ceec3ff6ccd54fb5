// A KIP-848 consumer group's state: the group epoch (bumped when subscriptions or membership
// change), the target assignment computed by a server-side assignor at that epoch, and each
// member's current assignment and member epoch as it reconciles toward its target.
// States as Kafka names them: Empty, Assigning (target assignment older than the group epoch:
// never observable here, the assignment is computed synchronously), Reconciling (a member is
// behind the target), Stable, Dead.

/** topic name -> partitions. */
export type Assignment = Map<string, Set<number>>;

export type ConsumerGroupState = 'Empty' | 'Assigning' | 'Reconciling' | 'Stable' | 'Dead';

export interface ConsumerMember {
  memberId: string;
  instanceId: string | null;
  rackId: string | null;
  clientId: string;
  clientHost: string;
  memberEpoch: number;
  /** The epoch before the last bump; a commit from it is still accepted while revoking. */
  previousMemberEpoch: number;
  rebalanceTimeoutMs: number;
  subscribedTopicNames: string[];
  subscribedTopicRegex: string | null;
  serverAssignor: string | null;
  /** What the member owns now (acknowledged by its heartbeats). */
  assigned: Assignment;
  /** Partitions the member must give up before it moves to the next epoch. */
  revoking: Assignment;
  sessionTimer: NodeJS.Timeout | undefined;
  rebalanceTimer: NodeJS.Timeout | undefined;
}

export class ConsumerGroup {
  readonly kind = 'consumer';
  groupEpoch = 0;
  assignmentEpoch = 0;
  assignorName = 'uniform';
  readonly members = new Map<string, ConsumerMember>();
  /** member id -> target assignment at assignmentEpoch. */
  targetAssignment = new Map<string, Assignment>();
  stateSinceMs = Date.now();
  dead = false;

  constructor(readonly groupId: string) {}

  get state(): ConsumerGroupState {
    if (this.dead) return 'Dead';
    if (this.members.size === 0) return 'Empty';
    if (this.assignmentEpoch < this.groupEpoch) return 'Assigning';
    for (const member of this.members.values()) if (member.memberEpoch !== this.assignmentEpoch || member.revoking.size > 0) return 'Reconciling';
    return 'Stable';
  }

  subscribedTopics(): Set<string> {
    const topics = new Set<string>();
    for (const member of this.members.values()) for (const topic of member.subscribedTopicNames) topics.add(topic);
    return topics;
  }

  targetOf(memberId: string): Assignment {
    return this.targetAssignment.get(memberId) ?? new Map();
  }
}

export function copyAssignment(assignment: Assignment): Assignment {
  return new Map([...assignment].map(([topic, partitions]) => [topic, new Set(partitions)]));
}

/** Partitions in `a` that are not in `b`. */
export function subtractAssignment(a: Assignment, b: Assignment): Assignment {
  const out: Assignment = new Map();
  for (const [topic, partitions] of a) {
    const other = b.get(topic);
    const left = [...partitions].filter((p) => other === undefined || !other.has(p));
    if (left.length > 0) out.set(topic, new Set(left));
  }
  return out;
}

/** Partitions in both. */
export function intersectAssignment(a: Assignment, b: Assignment): Assignment {
  const out: Assignment = new Map();
  for (const [topic, partitions] of a) {
    const other = b.get(topic);
    if (other === undefined) continue;
    const both = [...partitions].filter((p) => other.has(p));
    if (both.length > 0) out.set(topic, new Set(both));
  }
  return out;
}

export function assignmentSize(assignment: Assignment): number {
  let count = 0;
  for (const partitions of assignment.values()) count += partitions.size;
  return count;
}

export function sameAssignment(a: Assignment, b: Assignment): boolean {
  return assignmentSize(a) === assignmentSize(b) && assignmentSize(intersectAssignment(a, b)) === assignmentSize(a);
}
