// Kafka's checkpoint files: text "version\ncount\nentry\n...". Written atomically: temp file,
// fsync, rename over the old one, fsync of the directory.
//   recovery-point-offset-checkpoint, log-start-offset-checkpoint (per log dir):
//     entries "topic partition offset"
//   leader-epoch-checkpoint (per partition dir): entries "epoch startOffset"
import { readFileSync } from 'node:fs';
import { fsyncDirectory, writeFileDurably, writeFileDurablyAsync } from '../util/durable-file.js';
import { StorageError } from './errors.js';

export const CHECKPOINT_VERSION = 0;
/** A checkpoint file larger than this is treated as corrupt. */
export const CHECKPOINT_BYTES_MAX = 64 * 1024 * 1024;

export class CheckpointFormatError extends StorageError {
  readonly path: string;
  constructor(path: string, message: string) {
    super('KAFKA_STORAGE_ERROR', `${path}: ${message}`);
    this.name = 'CheckpointFormatError';
    this.path = path;
  }
}

function checkpointText(entries: readonly string[]): string {
  return `${CHECKPOINT_VERSION}\n${entries.length}\n${entries.map((e) => e + '\n').join('')}`;
}

export function writeCheckpointFile(path: string, entries: readonly string[]): void {
  writeFileDurably(path, checkpointText(entries));
}

export { fsyncDirectory };

/** The entry lines, or undefined when the file does not exist. Throws CheckpointFormatError. */
export function readCheckpointFile(path: string): string[] | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  if (text.length > CHECKPOINT_BYTES_MAX) throw new CheckpointFormatError(path, 'too large');
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines.length < 2 || lines[0] !== String(CHECKPOINT_VERSION)) throw new CheckpointFormatError(path, `unknown version line "${lines[0] ?? ''}"`);
  const count = parseNonNegative(lines[1]!);
  if (count === undefined || count !== lines.length - 2) throw new CheckpointFormatError(path, `count line "${lines[1]}" does not match ${lines.length - 2} entries`);
  return lines.slice(2);
}

function parseNonNegative(text: string): number | undefined {
  if (!/^\d{1,16}$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}

function parseInteger(text: string): number | undefined {
  if (!/^-?\d{1,16}$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}

/** "topic-partition" directory name -> offset. */
export type OffsetCheckpoint = Map<string, number>;

export function partitionDirName(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

export function readOffsetCheckpoint(path: string): OffsetCheckpoint {
  const result: OffsetCheckpoint = new Map();
  for (const line of readCheckpointFile(path) ?? []) {
    const fields = line.split(' ');
    const partition = parseNonNegative(fields[1] ?? '');
    const offset = parseInteger(fields[2] ?? '');
    if (fields.length !== 3 || fields[0] === '' || partition === undefined || offset === undefined) {
      throw new CheckpointFormatError(path, `malformed entry "${line}"`);
    }
    result.set(partitionDirName(fields[0]!, partition), offset);
  }
  return result;
}

export interface OffsetCheckpointEntry {
  topic: string;
  partition: number;
  offset: number;
}

function offsetLines(entries: readonly OffsetCheckpointEntry[]): string[] {
  return entries.map((e) => `${e.topic} ${e.partition} ${e.offset}`);
}

export function writeOffsetCheckpoint(path: string, entries: readonly OffsetCheckpointEntry[]): void {
  writeCheckpointFile(path, offsetLines(entries));
}

/** As writeOffsetCheckpoint, on the thread pool (the periodic checkpoint). */
export function writeOffsetCheckpointAsync(path: string, entries: readonly OffsetCheckpointEntry[]): Promise<void> {
  return writeFileDurablyAsync(path, checkpointText(offsetLines(entries)));
}

export interface EpochEntry {
  epoch: number;
  startOffset: number;
}

export function readEpochCheckpoint(path: string): EpochEntry[] {
  return (readCheckpointFile(path) ?? []).map((line) => {
    const fields = line.split(' ');
    const epoch = parseNonNegative(fields[0] ?? '');
    const startOffset = parseNonNegative(fields[1] ?? '');
    if (fields.length !== 2 || epoch === undefined || startOffset === undefined) throw new CheckpointFormatError(path, `malformed entry "${line}"`);
    return { epoch, startOffset };
  });
}

export function writeEpochCheckpoint(path: string, entries: readonly EpochEntry[]): void {
  writeCheckpointFile(path, entries.map((e) => `${e.epoch} ${e.startOffset}`));
}
