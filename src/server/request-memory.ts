// The server-wide request budget: queued.max.requests (requests in flight across every
// connection, as Kafka's request queue) and queued.max.request.bytes (their bytes). A
// connection takes a request only while both have room, or when it has nothing in flight
// itself, so every connection can always make progress; finishing a request wakes the
// connections that stopped for lack of room.

export class RequestMemory {
  private inUseBytes = 0;
  private inFlightRequests = 0;
  private readonly waiting = new Set<() => void>();

  /** `limitBytes` <= 0 means no byte limit (Kafka's -1). */
  constructor(private readonly limitBytes: number, private readonly requestsMax = Number.MAX_SAFE_INTEGER) {}

  get usedBytes(): number {
    return this.inUseBytes;
  }

  get requestsInFlight(): number {
    return this.inFlightRequests;
  }

  hasRoom(): boolean {
    const bytesRoom = this.limitBytes <= 0 || this.inUseBytes < this.limitBytes;
    return bytesRoom && this.inFlightRequests < this.requestsMax;
  }

  take(sizeBytes: number): void {
    this.inUseBytes += sizeBytes;
    this.inFlightRequests += 1;
  }

  release(sizeBytes: number): void {
    this.inUseBytes -= sizeBytes;
    this.inFlightRequests -= 1;
    if (this.inUseBytes < 0 || this.inFlightRequests < 0) {
      throw new Error(`rill: request budget went negative (${this.inUseBytes} bytes, ${this.inFlightRequests} requests)`);
    }
    if (!this.hasRoom() || this.waiting.size === 0) return;
    const wake = [...this.waiting];
    this.waiting.clear();
    for (const resume of wake) resume();
  }

  /** Calls `resume` once, the next time a request finishes with room left. */
  waitForRoom(resume: () => void): void {
    this.waiting.add(resume);
  }

  forget(resume: () => void): void {
    this.waiting.delete(resume);
  }
}
