// queued.max.request.bytes: one budget of request bytes in flight across every connection of a
// server. A connection takes a request only while the budget has room, or when it has nothing
// in flight itself (so every connection can always make progress); releasing bytes wakes the
// connections that stopped for lack of room.

export class RequestMemory {
  private inUseBytes = 0;
  private readonly waiting = new Set<() => void>();

  /** `limitBytes` <= 0 means no limit (Kafka's -1). */
  constructor(private readonly limitBytes: number) {}

  get usedBytes(): number {
    return this.inUseBytes;
  }

  hasRoom(): boolean {
    return this.limitBytes <= 0 || this.inUseBytes < this.limitBytes;
  }

  take(sizeBytes: number): void {
    this.inUseBytes += sizeBytes;
  }

  release(sizeBytes: number): void {
    this.inUseBytes -= sizeBytes;
    if (this.inUseBytes < 0) throw new Error(`rill: request memory went negative (${this.inUseBytes})`);
    if (!this.hasRoom() || this.waiting.size === 0) return;
    const wake = [...this.waiting];
    this.waiting.clear();
    for (const resume of wake) resume();
  }

  /** Calls `resume` once, the next time bytes are released with room left. */
  waitForRoom(resume: () => void): void {
    this.waiting.add(resume);
  }

  forget(resume: () => void): void {
    this.waiting.delete(resume);
  }
}
