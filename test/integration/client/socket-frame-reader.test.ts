// SocketFrameReader over real TCP: a server writes size-prefixed frames cut at awkward places
// (inside the size prefix, one byte at a time, several frames in one write, multi-MiB frames
// in pieces); the client gets every frame whole and in order. An oversize prefix is an error.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { SocketFrameReader } from '../../../src/client/socket-frame-reader.js';

let server: Server | undefined;

afterEach(() => {
  server?.close();
  server = undefined;
});

function framed(body: Buffer): Buffer {
  const prefix = Buffer.alloc(4);
  prefix.writeInt32BE(body.length, 0);
  return Buffer.concat([prefix, body]);
}

function patterned(length: number, seed: number): Buffer {
  const body = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) body[i] = (i * 31 + seed) & 0xff;
  return body;
}

/** Writes the pieces one at a time, waiting for each to drain and a turn of the event loop. */
async function writePieces(socket: Socket, pieces: Buffer[]): Promise<void> {
  for (const piece of pieces) {
    if (!socket.write(piece)) await once(socket, 'drain');
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** Cuts bytes at the given positions. */
function cut(bytes: Buffer, positions: number[]): Buffer[] {
  const pieces: Buffer[] = [];
  let start = 0;
  for (const position of [...positions, bytes.length]) {
    pieces.push(bytes.subarray(start, position));
    start = position;
  }
  return pieces.filter((p) => p.length > 0);
}

async function serve(pieces: Buffer[]): Promise<number> {
  server = createServer((socket) => void writePieces(socket, pieces).then(() => socket.end()));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as { port: number }).port;
}

async function readFrames(port: number, frameBytesMax: number): Promise<{ frames: Buffer[]; error: Error | undefined }> {
  const frames: Buffer[] = [];
  let error: Error | undefined;
  const reader = new SocketFrameReader(frameBytesMax, (frame) => frames.push(Buffer.from(frame)), (err) => (error = err));
  const socket = connect({ host: '127.0.0.1', port, onread: reader.onread });
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => {
    socket.on('close', () => resolve());
    socket.on('end', () => socket.destroy());
    const check = setInterval(() => {
      if (error === undefined) return;
      clearInterval(check);
      socket.destroy();
    }, 5);
    socket.on('close', () => clearInterval(check));
  });
  return { frames, error };
}

describe('SocketFrameReader', () => {
  it('reassembles frames cut inside prefixes, byte by byte, and several per write', async () => {
    const bodies = [patterned(10, 1), Buffer.alloc(0), patterned(3, 2), patterned(70_000, 3), patterned(5, 4), patterned(200_000, 5)];
    const stream = Buffer.concat(bodies.map(framed));
    const positions = [1, 2, 3, 6, 7, 15, 16, 17, 18, 19, 40, 50_000, 70_030, 70_031, 70_033, 140_000];
    const { frames, error } = await readFrames(await serve(cut(stream, positions)), 1 << 20);
    expect(error).toBeUndefined();
    expect(frames).toEqual(bodies);
  });

  it('reads multi-MiB frames sent in uneven pieces', async () => {
    const bodies = [patterned(3 * 1024 * 1024 + 17, 7), patterned(12, 8), patterned(5 * 1024 * 1024, 9)];
    const stream = Buffer.concat(bodies.map(framed));
    const positions = Array.from({ length: 40 }, (_, i) => Math.floor((stream.length * (i + 1) * (i + 1)) / 1700));
    const { frames, error } = await readFrames(await serve(cut(stream, [...new Set(positions)].filter((p) => p < stream.length))), 16 << 20);
    expect(error).toBeUndefined();
    expect(frames.length).toBe(3);
    frames.forEach((frame, i) => expect(frame.equals(bodies[i]!)).toBe(true));
  });

  it('reports a size prefix above the limit and delivers nothing of that frame', async () => {
    const stream = Buffer.concat([framed(patterned(8, 1)), framed(patterned(5000, 2))]);
    const { frames, error } = await readFrames(await serve([stream]), 4096);
    expect(frames).toEqual([patterned(8, 1)]);
    expect(error?.message).toMatch(/frame size 5000/);
  });
});
