// Durable small-file replacement: write a temporary file, fsync it, rename it over the target,
// fsync the directory. A crash at any moment leaves either the old or the new file, whole.
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
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
