// __transaction_state record layouts (Kafka's TransactionLogKey and TransactionLogValue v0):
// key   = version int16 (0), transactional_id string
// value = version int16 (0), producer_id int64, producer_epoch int16, transaction_timeout_ms
//         int32, transaction_status int8, transaction_partitions [topic string, partition_ids
//         [int32]] (nullable), transaction_last_update_timestamp_ms int64,
//         transaction_start_timestamp_ms int64
// Values written with v1 (flexible, with tagged fields) by Kafka 4 are read too: compact
// strings/arrays and tagged fields are skipped. A null value (tombstone) removes the id.
// Rill adds one record kind of its own, key version 100 (pending offsets of a transaction being
// committed, JSON value), written in the same batch as PrepareCommit and tombstoned with the
// Complete record, so a crash between the two cannot lose TxnOffsetCommit offsets.
import { TxnState, txnStateOfCode, txnStateCode } from './txn-state.js';

const KEY_VERSION = 0;
const VALUE_VERSION = 0;

export interface StoredTxn {
  producerId: number;
  producerEpoch: number;
  timeoutMs: number;
  state: TxnState;
  partitions: { topic: string; partitions: number[] }[];
  lastUpdateMs: number;
  startMs: number;
}

export function encodeTxnKey(transactionalId: string): Buffer {
  const id = Buffer.from(transactionalId, 'utf8');
  const out = Buffer.allocUnsafe(4 + id.length);
  out.writeInt16BE(KEY_VERSION, 0);
  out.writeInt16BE(id.length, 2);
  id.copy(out, 4);
  return out;
}

/** The transactional id of a key, or undefined for a key version this does not know. */
export function decodeTxnKey(key: Buffer): string | undefined {
  if (key.length < 4 || key.readInt16BE(0) !== KEY_VERSION) return undefined;
  const length = key.readInt16BE(2);
  if (length < 0 || 4 + length > key.length) return undefined;
  return key.toString('utf8', 4, 4 + length);
}

const PENDING_OFFSETS_KEY_VERSION = 100;

export interface StoredPendingOffset {
  groupId: string;
  topic: string;
  partition: number;
  offset: string;
  leaderEpoch: number;
  metadata: string;
  commitTimestampMs: number;
}

function encodeKeyWithVersion(version: number, transactionalId: string): Buffer {
  const id = Buffer.from(transactionalId, 'utf8');
  const out = Buffer.allocUnsafe(4 + id.length);
  out.writeInt16BE(version, 0);
  out.writeInt16BE(id.length, 2);
  id.copy(out, 4);
  return out;
}

export function encodePendingOffsetsKey(transactionalId: string): Buffer {
  return encodeKeyWithVersion(PENDING_OFFSETS_KEY_VERSION, transactionalId);
}

/** The transactional id of a pending-offsets key, or undefined. */
export function decodePendingOffsetsKey(key: Buffer): string | undefined {
  if (key.length < 4 || key.readInt16BE(0) !== PENDING_OFFSETS_KEY_VERSION) return undefined;
  const length = key.readInt16BE(2);
  if (length < 0 || 4 + length > key.length) return undefined;
  return key.toString('utf8', 4, 4 + length);
}

export function encodePendingOffsetsValue(offsets: readonly StoredPendingOffset[]): Buffer {
  return Buffer.from(JSON.stringify(offsets), 'utf8');
}

export function decodePendingOffsetsValue(value: Buffer): StoredPendingOffset[] | undefined {
  try {
    const parsed = JSON.parse(value.toString('utf8')) as StoredPendingOffset[];
    return Array.isArray(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export function encodeTxnValue(txn: StoredTxn): Buffer {
  const topics = txn.partitions.map((t) => ({ name: Buffer.from(t.topic, 'utf8'), partitions: t.partitions }));
  const partitionBytes = topics.reduce((sum, t) => sum + 2 + t.name.length + 4 + 4 * t.partitions.length, 0);
  const out = Buffer.allocUnsafe(2 + 8 + 2 + 4 + 1 + 4 + partitionBytes + 8 + 8);
  let at = out.writeInt16BE(VALUE_VERSION, 0);
  at = out.writeBigInt64BE(BigInt(txn.producerId), at);
  at = out.writeInt16BE(txn.producerEpoch, at);
  at = out.writeInt32BE(txn.timeoutMs, at);
  at = out.writeInt8(txnStateCode(txn.state), at);
  at = out.writeInt32BE(topics.length, at);
  for (const topic of topics) {
    at = out.writeInt16BE(topic.name.length, at);
    at += topic.name.copy(out, at);
    at = out.writeInt32BE(topic.partitions.length, at);
    for (const partition of topic.partitions) at = out.writeInt32BE(partition, at);
  }
  at = out.writeBigInt64BE(BigInt(txn.lastUpdateMs), at);
  out.writeBigInt64BE(BigInt(txn.startMs), at);
  return out;
}

/** A small cursor over a value; every read throws RangeError past the end. */
class Cursor {
  at = 0;
  constructor(private readonly buf: Buffer, private readonly flexible: boolean) {}
  int8(): number { const v = this.buf.readInt8(this.at); this.at += 1; return v; }
  int16(): number { const v = this.buf.readInt16BE(this.at); this.at += 2; return v; }
  int32(): number { const v = this.buf.readInt32BE(this.at); this.at += 4; return v; }
  int64(): number { const v = Number(this.buf.readBigInt64BE(this.at)); this.at += 8; return v; }
  uvarint(): number {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const byte = this.buf.readUInt8(this.at++);
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return value;
    }
    throw new RangeError('varint too long');
  }
  /** Array length (-1 for null). */
  arrayLength(): number { return this.flexible ? this.uvarint() - 1 : this.int32(); }
  string(): string {
    const length = this.flexible ? this.uvarint() - 1 : this.int16();
    if (length < 0 || this.at + length > this.buf.length) throw new RangeError(`bad string length ${length}`);
    const text = this.buf.toString('utf8', this.at, this.at + length);
    this.at += length;
    return text;
  }
  skipTaggedFields(): void {
    if (!this.flexible) return;
    const count = this.uvarint();
    for (let i = 0; i < count; i++) {
      this.uvarint();
      this.at += this.uvarint();
    }
  }
}

function readPartitions(cursor: Cursor): StoredTxn['partitions'] {
  const count = cursor.arrayLength();
  const topics: StoredTxn['partitions'] = [];
  for (let i = 0; i < count; i++) {
    const topic = cursor.string();
    const partitionCount = cursor.arrayLength();
    const partitions: number[] = [];
    for (let p = 0; p < partitionCount; p++) partitions.push(cursor.int32());
    cursor.skipTaggedFields();
    topics.push({ topic, partitions });
  }
  return topics;
}

/** Decodes a value; undefined when it is malformed or of an unknown version. */
export function decodeTxnValue(value: Buffer): StoredTxn | undefined {
  try {
    const version = value.readInt16BE(0);
    if (version !== 0 && version !== 1) return undefined;
    const cursor = new Cursor(value, version >= 1);
    cursor.at = 2;
    const producerId = cursor.int64();
    const producerEpoch = cursor.int16();
    const timeoutMs = cursor.int32();
    const state = txnStateOfCode(cursor.int8());
    const partitions = readPartitions(cursor);
    const lastUpdateMs = cursor.int64();
    const startMs = cursor.int64();
    if (state === undefined) return undefined;
    return { producerId, producerEpoch, timeoutMs, state, partitions, lastUpdateMs, startMs };
  } catch {
    return undefined;
  }
}
