// Worker-thread entry of the log cleaner: receives CleanTasks, answers CleanResults (or an
// error message). Runs compaction's reading, decoding and rewriting off the event loop.
import { parentPort } from 'node:worker_threads';
import { accel } from '../accel/index.js';
import { cleanSegments, type CleanTask } from './cleaner.js';

const context = {
  io: accel.file,
  records: accel,
  crc32c: accel.crc32c.bind(accel),
};

parentPort?.on('message', (message: { id: number; task: CleanTask }) => {
  try {
    parentPort!.postMessage({ id: message.id, result: cleanSegments(context, message.task) });
  } catch (err) {
    parentPort!.postMessage({ id: message.id, error: (err as Error).stack ?? String(err) });
  }
});
