// Producer id allocation: ids come from blocks of PRODUCER_ID_BLOCK_SIZE; before the first id
// of a block is handed out, the block's end is written to `producer-id-block` in the data dir
// (write to .tmp, fsync, rename, fsync the dir), so after any crash the next start begins past
// every id ever handed out.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileDurably } from '../../util/durable-file.js';

export const PRODUCER_ID_BLOCK_SIZE = 1000;
export const PRODUCER_ID_FILE = 'producer-id-block';

export class ProducerIdAllocator {
  private nextId: number;
  private blockEnd: number;
  private readonly path: string;

  constructor(dataDir: string) {
    this.path = join(dataDir, PRODUCER_ID_FILE);
    this.nextId = this.readReservedEnd();
    this.blockEnd = this.nextId;
  }

  private readReservedEnd(): number {
    if (!existsSync(this.path)) return 0;
    const text = readFileSync(this.path, 'utf8').trim();
    const value = Number(text);
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(value)) throw new Error(`rill: ${this.path} holds ${JSON.stringify(text)}, not a producer id`);
    return value;
  }

  /** A producer id never handed out before (durably). */
  allocate(): number {
    if (this.nextId >= this.blockEnd) this.reserve(this.nextId + PRODUCER_ID_BLOCK_SIZE);
    return this.nextId++;
  }

  /** Makes sure ids below `minimum` are never handed out (ids found in __transaction_state). */
  skipBelow(minimum: number): void {
    if (minimum <= this.nextId) return;
    this.nextId = minimum;
    if (this.nextId >= this.blockEnd) this.reserve(this.nextId + PRODUCER_ID_BLOCK_SIZE);
  }

  private reserve(end: number): void {
    writeFileDurably(this.path, `${end}\n`);
    this.blockEnd = end;
  }
}
