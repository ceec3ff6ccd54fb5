// Durable small-file replacement: write a temporary file, fsync it, rename it over the target,
// fsync the directory. A crash at any moment leaves either the old or the new file, whole.
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';

/** fsync of a directory, so a rename or a new file in it survives a crash. */
export function fsyncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Replaces `path` with `text` atomically and durably (temp file + fsync + rename + dir fsync). */
export function writeFileDurably(path: string, text: string): void {
  const tmpPath = `${path}.tmp`;
  const fd = openSync(tmpPath, 'w', 0o644);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmpPath, path);
  fsyncDirectory(dirname(path));
}

async function fsyncDirectoryAsync(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * As writeFileDurably, with every system call on the thread pool: for periodic writes whose
 * fsyncs must not stall the event loop. Callers must not run two of these on one path at once.
 */
export async function writeFileDurablyAsync(path: string, text: string): Promise<void> {
  const tmpPath = `${path}.tmp`;
  const handle = await open(tmpPath, 'w', 0o644);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmpPath, path);
  await fsyncDirectoryAsync(dirname(path));
}
