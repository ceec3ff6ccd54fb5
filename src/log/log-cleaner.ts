// Runs compaction passes: plans on the event loop, cleans in a worker thread (inline when the
// compiled worker is not available, as under vitest running TypeScript sources), swaps on the
// event loop. One pass at a time.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { limits } from '../config/limits.js';
import { cleanSegments, type CleanResult, type CleanTask } from './cleaner.js';
import type { StorageContext } from './context.js';
import type { PartitionLog } from './partition-log.js';

export interface LogCleanerOptions {
  context: StorageContext;
  /** Default: a worker when the compiled cleaner-worker.js exists. */
  useWorker?: boolean;
  offsetMapEntriesMax?: number;
}

interface Pending {
  resolve: (result: CleanResult) => void;
  reject: (err: Error) => void;
}

const WORKER_URL = new URL('./cleaner-worker.js', import.meta.url);

export class LogCleaner {
  private readonly ctx: StorageContext;
  readonly useWorker: boolean;
  private readonly offsetMapEntriesMax: number;
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: LogCleanerOptions) {
    this.ctx = options.context;
    this.useWorker = options.useWorker ?? existsSync(fileURLToPath(WORKER_URL));
    this.offsetMapEntriesMax = options.offsetMapEntriesMax ?? limits.cleanerOffsetMapEntriesMax;
  }

  /** Cleans the log if a pass is due; resolves with what was done (undefined: nothing due or the log changed). */
  clean(log: PartitionLog, nowMs = this.ctx.nowMs()): Promise<CleanResult | undefined> {
    const run = this.queue.then(() => this.cleanNow(log, nowMs));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async cleanNow(log: PartitionLog, nowMs: number): Promise<CleanResult | undefined> {
    const planned = log.planCleaning(nowMs, this.offsetMapEntriesMax);
    if (planned === undefined) return undefined;
    const result = this.useWorker ? await this.runInWorker(planned.task) : this.runInline(planned.task);
    return log.swapCleaned(result, planned.generation) ? result : undefined;
  }

  private runInline(task: CleanTask): CleanResult {
    return cleanSegments(this.ctx, task);
  }

  private runInWorker(task: CleanTask): Promise<CleanResult> {
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, task });
    });
  }

  private ensureWorker(): Worker {
    if (this.worker !== undefined) return this.worker;
    const worker = new Worker(WORKER_URL);
    worker.unref();
    worker.on('message', (message: { id: number; result?: CleanResult; error?: string }) => {
      const waiter = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error !== undefined) waiter?.reject(new Error(`log cleaner: ${message.error}`));
      else waiter?.resolve(message.result!);
    });
    worker.on('error', (err) => this.failAll(err));
    worker.on('exit', () => {
      this.worker = undefined;
      this.failAll(new Error('log cleaner worker exited'));
    });
    this.worker = worker;
    return worker;
  }

  private failAll(err: Error): void {
    for (const waiter of this.pending.values()) waiter.reject(err);
    this.pending.clear();
  }

  async close(): Promise<void> {
    await this.queue.catch(() => undefined);
    await this.worker?.terminate();
    this.worker = undefined;
  }
}
