// Group id -> __consumer_offsets partition, the way Kafka computes it: Java's String.hashCode
// over UTF-16 code units, made non-negative with `& 0x7fffffff` (Kafka's Utils.abs), modulo the
// partition count. Clients and tools that compute the coordinator partition agree with this.

/** Java's String.hashCode: s[0]*31^(n-1) + ... + s[n-1], in 32-bit two's complement. */
export function javaStringHashCode(text: string): number {
  let hash = 0;
  for (let i = 0; i < text.length; i++) hash = (Math.imul(hash, 31) + text.charCodeAt(i)) | 0;
  return hash;
}

/** The __consumer_offsets partition that holds a group's offsets and metadata. */
export function offsetsPartitionFor(groupId: string, partitionCount: number): number {
  return (javaStringHashCode(groupId) & 0x7fffffff) % partitionCount;
}
