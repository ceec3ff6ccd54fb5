import { describe, expect, it } from 'vitest';
import { FrameReader, FrameSizeError } from '../../../src/server/frame-reader.js';

function framed(payload: Buffer): Buffer {
  const prefix = Buffer.alloc(4);
  prefix.writeInt32BE(payload.length);
  return Buffer.concat([prefix, payload]);
}

describe('FrameReader', () => {
  it('returns a frame that arrived whole as a slice of the chunk, without copying', () => {
    const reader = new FrameReader(1024);
    const chunk = Buffer.concat([framed(Buffer.from('hello')), framed(Buffer.from('world!'))]);
    reader.push(chunk);
    const first = reader.next()!;
    const second = reader.next()!;
    expect(first.toString()).toBe('hello');
    expect(second.toString()).toBe('world!');
    expect(first.buffer).toBe(chunk.buffer);
    expect(second.byteOffset).toBe(chunk.byteOffset + 13);
    expect(reader.next()).toBeNull();
    expect(reader.bufferedBytes).toBe(0);
  });

  it('assembles a frame split into 1-byte chunks, the size prefix included', () => {
    const reader = new FrameReader(1024);
    const bytes = Buffer.concat([framed(Buffer.from('split-me')), framed(Buffer.alloc(0)), framed(Buffer.from('x'))]);
    const frames: string[] = [];
    for (const byte of bytes) {
      reader.push(Buffer.from([byte]));
      for (let frame = reader.next(); frame !== null; frame = reader.next()) frames.push(frame.toString());
    }
    expect(frames).toEqual(['split-me', '', 'x']);
  });

  it('copies a spanning frame into its own buffer exactly once', () => {
    const reader = new FrameReader(1024);
    const bytes = framed(Buffer.from('abcdefghij'));
    const a = bytes.subarray(0, 7);
    const b = bytes.subarray(7);
    reader.push(a);
    expect(reader.next()).toBeNull();
    reader.push(b);
    const frame = reader.next()!;
    expect(frame.toString()).toBe('abcdefghij');
    expect(frame.length).toBe(10);
    bytes.fill(0);
    expect(frame.toString()).toBe('abcdefghij');
  });

  it('rejects an oversize or negative prefix as soon as the 4 prefix bytes are in', () => {
    const reader = new FrameReader(100);
    reader.push(Buffer.from([0x7f, 0xff]));
    expect(reader.next()).toBeNull();
    reader.push(Buffer.from([0xff, 0xff]));
    expect(() => reader.next()).toThrow(FrameSizeError);
    const negative = new FrameReader(100);
    negative.push(Buffer.from([0xff, 0xff, 0xff, 0xfe]));
    expect(() => negative.next()).toThrow(FrameSizeError);
  });

  it('accepts a frame of exactly the maximum size', () => {
    const reader = new FrameReader(8);
    reader.push(framed(Buffer.alloc(8, 1)));
    expect(reader.next()!.length).toBe(8);
  });
});
