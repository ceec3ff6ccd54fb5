// The Java client's default partitioning: keyed records go to toPositive(murmur2(key)) %
// partitions (murmur2 with seed 0x9747b28c, bit for bit as the Java client computes it, so a
// key lands on the same partition from Rill, the Java client and librdkafka's murmur2_random);
// keyless records stick to one partition until its batch is closed (KIP-480), then move on.

const MURMUR2_SEED = 0x9747b28c;
const MURMUR2_M = 0x5bd1e995;
const MURMUR2_R = 24;

function littleEndianWord(key: Uint8Array, at: number): number {
  return key[at]! | (key[at + 1]! << 8) | (key[at + 2]! << 16) | (key[at + 3]! << 24);
}

function mixTail(key: Uint8Array, hash: number): number {
  const tailStart = key.length & ~3;
  const tailLength = key.length & 3;
  if (tailLength === 0) return hash;
  let h = hash;
  if (tailLength === 3) h ^= key[tailStart + 2]! << 16;
  if (tailLength >= 2) h ^= key[tailStart + 1]! << 8;
  h ^= key[tailStart]!;
  return Math.imul(h, MURMUR2_M);
}

/** Kafka's murmur2 of a byte array, as a signed 32-bit integer (Java's int). */
export function murmur2(key: Uint8Array): number {
  let h = MURMUR2_SEED ^ key.length;
  const wordBytes = key.length & ~3;
  for (let at = 0; at < wordBytes; at += 4) {
    let k = Math.imul(littleEndianWord(key, at), MURMUR2_M);
    k ^= k >>> MURMUR2_R;
    k = Math.imul(k, MURMUR2_M);
    h = Math.imul(h, MURMUR2_M) ^ k;
  }
  h = mixTail(key, h);
  h ^= h >>> 13;
  h = Math.imul(h, MURMUR2_M);
  h ^= h >>> 15;
  return h | 0;
}

/** Java's Utils.toPositive: clears the sign bit (not Math.abs). */
export function toPositive(value: number): number {
  return value & 0x7fffffff;
}

/** The partition of a keyed record under the Java client's default partitioner. */
export function partitionForKey(key: Uint8Array, partitionCount: number): number {
  return toPositive(murmur2(key)) % partitionCount;
}

/** A random partition other than previous (when there is another). */
export function nextStickyPartition(partitionCount: number, previous: number): number {
  const next = Math.floor(Math.random() * partitionCount);
  return partitionCount > 1 && next === previous ? (next + 1) % partitionCount : next;
}

/** Keyless records of one topic: one sticky partition, changed when its batch closes (KIP-480). */
export class StickyPartition {
  private current = -1;

  partition(partitionCount: number): number {
    if (this.current >= 0 && this.current < partitionCount) return this.current;
    return (this.current = nextStickyPartition(partitionCount, -1));
  }

  /** Called when a batch of the topic closed: moves on when it was the sticky partition's. */
  batchClosed(partition: number, partitionCount: number): void {
    if (this.current === partition) this.current = nextStickyPartition(partitionCount, partition);
  }
}

/** Keyless records: one StickyPartition per topic. */
export class StickyPartitions {
  private readonly byTopic = new Map<string, StickyPartition>();

  private of(topic: string): StickyPartition {
    let sticky = this.byTopic.get(topic);
    if (sticky === undefined) this.byTopic.set(topic, (sticky = new StickyPartition()));
    return sticky;
  }

  partition(topic: string, partitionCount: number): number {
    return this.of(topic).partition(partitionCount);
  }

  /** Called when the batch of the sticky partition closed: move to another partition. */
  batchClosed(topic: string, partition: number, partitionCount: number): void {
    this.of(topic).batchClosed(partition, partitionCount);
  }
}
