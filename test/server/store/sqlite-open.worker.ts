/**
 * One of several threads that open the same new SQLite files at the same instant (see sqlite.test.ts).
 * For each path in turn: wait at a barrier until every thread is there, open and migrate a store, and
 * report what happened.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SqliteStore } from '../../../server/store/sqlite.ts';

const { paths, barrier, threads } = workerData as { paths: string[]; barrier: SharedArrayBuffer; threads: number };
const arrived = new Int32Array(barrier);
const results: Array<string | null> = [];
for (const [round, path] of paths.entries()) {
  // Spinning, not sleeping: every thread leaves the barrier within microseconds of the last arrival.
  Atomics.add(arrived, round, 1);
  while (Atomics.load(arrived, round) < threads);
  try {
    const store = new SqliteStore(path);
    await store.migrate();
    await store.close();
    results.push(null);
  } catch (error) {
    const { code, message } = error as { code?: string; message?: string };
    results.push(`${code ?? 'error'}: ${message ?? String(error)}`);
  }
}
parentPort!.postMessage(results);
