import { describe, expect, test } from 'vitest';
import { limits } from '../../../src/config/limits.js';
import {
  ProtocolDecodeError,
  Reader,
  Writer,
  requestHeaderVersion,
  responseHeaderVersion,
} from '../../../src/protocol/index.js';

function decodeError(fn: () => unknown): ProtocolDecodeError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ProtocolDecodeError);
    return e as ProtocolDecodeError;
  }
  throw new Error('expected a ProtocolDecodeError');
}

describe('Reader', () => {
  test('reads fixed-width big-endian integers and advances', () => {
    const r = new Reader(Buffer.from('ff7ffe80000001ffffffffffffffff', 'hex'));
    expect(r.readInt8()).toBe(-1);
    expect(r.readInt16()).toBe(0x7ffe);
    expect(r.readInt32()).toBe(-2147483647);
    expect(r.readInt64()).toBe(-1n);
    expect(r.remainingBytes).toBe(0);
  });

  test('decodes unsigned and zigzag varints as Kafka writes them', () => {
    expect(new Reader(Buffer.from([0xac, 0x02])).readUVarint()).toBe(300);
    expect(new Reader(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f])).readUVarint()).toBe(0xffffffff);
    expect(new Reader(Buffer.from([0x01])).readVarint()).toBe(-1);
    expect(new Reader(Buffer.from([0x04])).readVarint()).toBe(2);
    expect(new Reader(Buffer.from([0x03])).readVarlong()).toBe(-2n);
  });

  test('uvarints of every width round-trip, in the middle of a buffer and at its very end', () => {
    const values = [0, 1, 127, 128, 16383, 16384, 2 ** 21 - 1, 2 ** 21, 2 ** 28 - 1, 2 ** 28, 2 ** 31, 0xffffffff];
    for (let i = 0; i < 200; i++) values.push(Math.floor(Math.random() * 2 ** (1 + (i % 32))));
    for (const value of values) {
      const w = new Writer(8);
      w.writeUVarint(value);
      const alone = w.finish();
      expect(new Reader(alone).readUVarint()).toBe(value);
      const padded = Buffer.concat([alone, Buffer.alloc(6)]);
      const r = new Reader(padded);
      expect(r.readUVarint()).toBe(value);
      expect(r.pos).toBe(alone.length);
    }
  });

  test('rejects overlong and truncated varints', () => {
    expect(decodeError(() => new Reader(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x1f])).readUVarint()).detail).toMatch(/32 bits/);
    expect(decodeError(() => new Reader(Buffer.from([0x80, 0x80])).readUVarint()).detail).toMatch(/truncated/);
  });

  test('strings: int16 and compact lengths, null only where nullable', () => {
    expect(new Reader(Buffer.from('00026869', 'hex')).readString()).toBe('hi');
    // Invalid UTF-8 is not a decode error (Kafka does not check it either): it reads as U+FFFD.
    expect(new Reader(Buffer.from('000261c3', 'hex')).readString()).toBe('a\ufffd');
    expect(new Reader(Buffer.from([0x03, 0x68, 0x69])).readCompactString()).toBe('hi');
    expect(new Reader(Buffer.from([0xff, 0xff])).readNullableString()).toBe(null);
    expect(new Reader(Buffer.from([0x00])).readCompactNullableString()).toBe(null);
    decodeError(() => new Reader(Buffer.from([0xff, 0xff])).readString());
    decodeError(() => new Reader(Buffer.from([0xff, 0xfe])).readNullableString());
  });

  test('a length larger than the bytes left fails before reading', () => {
    const e = decodeError(() => new Reader(Buffer.from([0x00, 0x10, 0x61])).readString());
    expect(e.detail).toMatch(/needs 16 bytes, 1 left/);
    decodeError(() => new Reader(Buffer.from([0x7f, 0xff, 0xff, 0xff])).readBytes());
  });

  test('bytes come back as a view of the input, not a copy', () => {
    const buf = Buffer.from([0, 0, 0, 3, 7, 8, 9, 10]);
    const bytes = new Reader(buf).readBytes();
    expect([...bytes]).toEqual([7, 8, 9]);
    buf[4] = 42;
    expect(bytes[0]).toBe(42);
  });

  test('array counts are checked against the bytes left and protocolArrayLengthMax', () => {
    const tooManyForBytes = Buffer.from([0, 0, 0, 10, 0, 0, 0, 1]);
    expect(decodeError(() => new Reader(tooManyForBytes).readArrayLength(false, 4)).detail).toMatch(/bytes left/);
    const huge = Buffer.alloc(4);
    huge.writeInt32BE(limits.protocolArrayLengthMax + 1);
    expect(decodeError(() => new Reader(huge).readArrayLength(false, 0)).detail).toMatch(/protocolArrayLengthMax/);
    expect(new Reader(Buffer.from([0xff, 0xff, 0xff, 0xff])).readArrayLength(false, 4)).toBe(-1);
    expect(new Reader(Buffer.from([0x00])).readArrayLength(true, 4)).toBe(-1);
  });

  test('uuids read as 22-character base64url, as Kafka prints them', () => {
    const raw = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    const uuid = new Reader(raw).readUuid();
    expect(uuid).toHaveLength(22);
    expect(Buffer.from(uuid, 'base64url').equals(raw)).toBe(true);
  });

  test('tagged fields: raw fields in ascending tag order', () => {
    const r = new Reader(Buffer.from([0x02, 0x00, 0x01, 0xaa, 0x05, 0x00]));
    expect(r.readTaggedFields()).toEqual([
      { tag: 0, data: Buffer.from([0xaa]) },
      { tag: 5, data: Buffer.alloc(0) },
    ]);
    decodeError(() => new Reader(Buffer.from([0x02, 0x05, 0x00, 0x01, 0x00])).readTaggedFields());
  });
});

describe('Writer', () => {
  test('writes what the Reader reads, across chunk boundaries', () => {
    const w = new Writer(16);
    for (let i = 0; i < 500; i++) {
      w.writeInt32(i);
      w.writeUVarint(i * 1000);
      w.writeVarlong(BigInt(-i) * 1_000_000_007n);
      w.writeCompactString(`s${i}é`);
    }
    const lengthBytes = w.length;
    const bytes = w.finish();
    expect(bytes.length).toBe(lengthBytes);
    expect(w.length).toBe(0);
    const r = new Reader(bytes);
    for (let i = 0; i < 500; i++) {
      expect(r.readInt32()).toBe(i);
      expect(r.readUVarint()).toBe(i * 1000);
      expect(r.readVarlong()).toBe(BigInt(-i) * 1_000_000_007n);
      expect(r.readCompactString()).toBe(`s${i}é`);
    }
    expect(r.remainingBytes).toBe(0);
  });

  test('large byte arrays are appended by reference, small ones copied', () => {
    const big = Buffer.alloc(4096, 7);
    const small = Buffer.from([1, 2, 3]);
    const w = new Writer();
    w.writeBytes(small);
    w.writeBytes(big);
    w.writeInt8(5);
    const chunks = w.finishChunks();
    expect(chunks).toContain(big);
    expect(chunks).not.toContain(small);
    expect(Buffer.concat(chunks).length).toBe(4 + 3 + 4 + 4096 + 1);
  });

  test('reserveInt32/patchInt32 fill a size prefix after the fact', () => {
    const w = new Writer(8);
    const slot = w.reserveInt32();
    for (let i = 0; i < 100; i++) w.writeInt64(BigInt(i));
    w.patchInt32(slot, w.length - 4);
    const bytes = w.finish();
    expect(bytes.readInt32BE(0)).toBe(800);
  });

  test('finished bytes are never overwritten by later writers sharing the slab', () => {
    const kept: Array<{ bytes: Buffer; copy: Buffer }> = [];
    const open: Writer[] = [];
    for (let i = 0; i < 3000; i++) {
      const w = open.length > 0 && i % 3 === 0 ? open.pop()! : new Writer(i % 7 === 0 ? 64 : 1024);
      const count = (i * 7919) % 300;
      for (let j = 0; j < count; j++) w.writeInt32(i * 1000 + j);
      if (i % 5 === 0) {
        open.push(w);
        continue;
      }
      const bytes = w.finish();
      kept.push({ bytes, copy: Buffer.from(bytes) });
      w.writeInt64(-1n); // writing after finish must not touch the finished bytes either
    }
    for (const { bytes, copy } of kept) expect(bytes.equals(copy)).toBe(true);
  });

  test('internal misuse fails loudly', () => {
    expect(() => new Writer().writeUuid('not-a-uuid')).toThrow(RangeError);
    expect(() => new Writer().writeUVarint(-1)).toThrow(RangeError);
    expect(() => new Writer().writeString(null as unknown as string)).toThrow(RangeError);
  });
});

describe('header versions', () => {
  test('request header v2 when flexible, v1 otherwise, v0 for ControlledShutdown v0', () => {
    expect(requestHeaderVersion(0, 9, 9)).toBe(2);
    expect(requestHeaderVersion(0, 8, 9)).toBe(1);
    expect(requestHeaderVersion(7, 0, 3)).toBe(0);
    expect(requestHeaderVersion(7, 1, 3)).toBe(1);
  });

  test('response header v1 when flexible, but always v0 for ApiVersions', () => {
    expect(responseHeaderVersion(0, 9, 9)).toBe(1);
    expect(responseHeaderVersion(0, 8, 9)).toBe(0);
    expect(responseHeaderVersion(18, 3, 3)).toBe(0);
  });
});
