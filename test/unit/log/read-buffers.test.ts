import { describe, expect, it } from 'vitest';
import { ReadBufferPool } from '../../../src/log/read-buffers.js';

describe('ReadBufferPool', () => {
  it('hands a released buffer out again and keeps at most countMax', () => {
    const pool = new ReadBufferPool(1024, 2);
    const lender = pool.lender();
    const taken = [lender.take(), lender.take(), lender.take()];
    expect(taken.every((b) => b.length === 1024)).toBe(true);
    expect(new Set(taken).size).toBe(3);
    expect(pool.freeCount).toBe(0);
    lender.release();
    expect(pool.freeCount).toBe(2);
    const again = pool.lender().take();
    expect(taken).toContain(again);
    expect(pool.freeCount).toBe(1);
  });

  it('gives back only what one lender lent, once', () => {
    const pool = new ReadBufferPool(64, 8);
    const first = pool.lender();
    const second = pool.lender();
    first.take();
    const kept = second.take();
    first.release();
    first.release();
    expect(pool.freeCount).toBe(1);
    expect(pool.lender().take()).not.toBe(kept);
  });

  it('refuses a buffer of another size (a broken invariant, not input)', () => {
    const pool = new ReadBufferPool(64, 8);
    expect(() => pool.give(Buffer.alloc(32))).toThrow(/not one of this pool's 64-byte buffers/);
  });
});
