// Deterministic, realistic benchmark payloads: JSON-ish service log lines.

/** A small seeded PRNG (xorshift32); the same seed gives the same sequence everywhere. */
export class SeededRandom {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }
  /** Next unsigned 32-bit value. */
  nextU32(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state;
  }
  /** Integer in [0, bound). */
  below(bound: number): number {
    return Math.floor((this.nextU32() / 0x100000000) * bound);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)]!;
  }
  /** bytes random bytes. */
  bytes(length: number): Buffer {
    const out = Buffer.allocUnsafe(length);
    for (let i = 0; i < length; i++) out[i] = this.nextU32() & 0xff;
    return out;
  }
}

const SERVICES = ['checkout', 'payments', 'inventory', 'search', 'auth', 'shipping', 'catalog'];
const LEVELS = ['info', 'info', 'info', 'info', 'debug', 'warn', 'error'];
const METHODS = ['GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE'];
const PATHS = ['/api/v1/orders', '/api/v1/cart', '/api/v2/products', '/healthz', '/api/v1/users/me', '/api/v1/search'];
const STATUSES = [200, 200, 200, 200, 201, 204, 304, 400, 404, 500];
const MESSAGES = ['request completed', 'cache miss', 'upstream slow', 'retrying request', 'token refreshed'];

function hex(random: SeededRandom, digits: number): string {
  let out = '';
  while (out.length < digits) out += random.nextU32().toString(16).padStart(8, '0');
  return out.slice(0, digits);
}

/** One log line (no newline). */
export function logLine(random: SeededRandom, timestampMs: number): string {
  return JSON.stringify({
    ts: new Date(timestampMs).toISOString(),
    level: random.pick(LEVELS),
    service: random.pick(SERVICES),
    traceId: hex(random, 32),
    method: random.pick(METHODS),
    path: random.pick(PATHS),
    status: random.pick(STATUSES),
    durationMs: random.below(2500) / 10,
    userId: `u-${random.below(50_000)}`,
    msg: random.pick(MESSAGES),
  });
}

/** Exactly sizeBytes of newline-separated log lines, the same for the same seed. */
export function logCorpus(sizeBytes: number, seed = 1): Buffer {
  const random = new SeededRandom(seed);
  const lines: string[] = [];
  let length = 0;
  let timestampMs = Date.UTC(2026, 0, 1);
  while (length < sizeBytes) {
    timestampMs += random.below(40);
    const line = logLine(random, timestampMs);
    lines.push(line);
    length += line.length + 1;
  }
  return Buffer.from(lines.join('\n') + '\n').subarray(0, sizeBytes);
}
