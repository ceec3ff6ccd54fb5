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

/** Keyless records: one sticky partition per topic, changed when the producer closes its batch. */
export class StickyPartitions {
  private readonly current = new Map<string, number>();

  partition(topic: string, partitionCount: number): number {
    const sticky = this.current.get(topic);
    if (sticky !== undefined && sticky < partitionCount) return sticky;
    return this.choose(topic, partitionCount, -1);
  }

  /** Called when the batch of the sticky partition closed: move to another partition. */
  batchClosed(topic: string, partition: number, partitionCount: number): void {
    if (this.current.get(topic) === partition) this.choose(topic, partitionCount, partition);
  }

  private choose(topic: string, partitionCount: number, previous: number): number {
    const next = nextStickyPartition(partitionCount, previous);
    this.current.set(topic, next);
    return next;
  }
}
