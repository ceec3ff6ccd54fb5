// Shared helpers for the consumer-group tests: broker configs that keep rebalances short,
// waiting without timing assertions, and ownership checks over DescribeGroups.
import { AssignerProtocol, type Admin } from 'kafkajs';

/** Broker configs for group tests: no initial delay, short sessions allowed. */
export const groupTestConfig = {
  'num.partitions': 1,
  'group.initial.rebalance.delay.ms': 0,
  'group.min.session.timeout.ms': 500,
  'offsets.topic.num.partitions': 5,
  'group.consumer.session.timeout.ms': 3000,
  'group.consumer.min.session.timeout.ms': 1000,
  'group.consumer.heartbeat.interval.ms': 300,
  'group.consumer.min.heartbeat.interval.ms': 100,
} as const;

/** Polls until `check` returns true; throws with `what` when `limitMs` passes. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, limitMs = 30_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface Ownership {
  state: string;
  /** member id -> "topic:partition" list. */
  byMember: Map<string, string[]>;
}

/** The group's current assignment as DescribeGroups reports it (classic consumer protocol). */
export async function describeOwnership(admin: Admin, groupId: string): Promise<Ownership> {
  const { groups } = await admin.describeGroups([groupId]);
  const group = groups[0]!;
  const byMember = new Map<string, string[]>();
  for (const member of group.members) {
    const decoded = member.memberAssignment.length > 0 ? AssignerProtocol.MemberAssignment.decode(member.memberAssignment) : null;
    const owned: string[] = [];
    for (const [topic, partitions] of Object.entries(decoded?.assignment ?? {})) for (const p of partitions) owned.push(`${topic}:${p}`);
    byMember.set(member.memberId, owned);
  }
  return { state: group.state, byMember };
}

/** Asserts (by throwing) that no partition has two owners; returns all owned partitions. */
export function assertDisjoint(ownership: Ownership): Set<string> {
  const seen = new Map<string, string>();
  for (const [memberId, owned] of ownership.byMember) {
    for (const tp of owned) {
      const other = seen.get(tp);
      if (other !== undefined) throw new Error(`${tp} owned by both ${other} and ${memberId}`);
      seen.set(tp, memberId);
    }
  }
  return new Set(seen.keys());
}
