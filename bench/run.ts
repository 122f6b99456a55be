/**
 * Prints Tender's figures: widget bundle sizes, API latency and throughput through the app, and
 * how long one status event takes to reach many open SSE streams. Figures only; nothing asserts.
 * Run `npm run build` first for the bundle sizes.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseConfig } from '../server/config.ts';
import { silentLogger } from '../server/domain/log.ts';
import { createRuntime } from '../server/runtime.ts';

const root = new URL('..', import.meta.url).pathname;

function bundleSizes(): void {
  console.log('\nWidget bundles');
  for (const file of ['widget/dist/tender.iife.js', 'widget/dist/tender.js']) {
    const path = join(root, file);
    if (!existsSync(path)) {
      console.log(`  ${file.padEnd(28)} not built (run npm run build)`);
      continue;
    }
    const bytes = readFileSync(path);
    console.log(
      `  ${file.padEnd(28)} ${(bytes.length / 1024).toFixed(1).padStart(6)} KB raw  ${(gzipSync(bytes).length / 1024).toFixed(1).padStart(5)} KB gzip`,
    );
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function timed(label: string, count: number, run: (i: number) => Promise<void>): Promise<void> {
  const times: number[] = [];
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    await run(i);
    times.push(performance.now() - t);
  }
  const total = performance.now() - started;
  times.sort((a, b) => a - b);
  console.log(
    `  ${label.padEnd(34)} n=${count}  p50 ${percentile(times, 50).toFixed(2)} ms  p99 ${percentile(times, 99).toFixed(2)} ms  ${(count / (total / 1000)).toFixed(0)}/s`,
  );
}

async function api(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tender-bench-'));
  const config = parseConfig({
    publicUrl: 'http://127.0.0.1:9',
    database: `sqlite:${join(dir, 'bench.db')}`,
    merchant: { name: 'Bench', secretKey: 'sk_bench_0123456789' },
    // Providers are left out: this measures Tender itself, not a provider round trip.
    providers: {},
  });
  const runtime = await createRuntime(config, { log: silentLogger });
  const auth = { authorization: 'Bearer sk_bench_0123456789', 'content-type': 'application/json' };
  const sessions: Array<{ id: string; clientSecret: string }> = [];
  console.log('\nAPI through app.request (SQLite file, no network)');
  await timed('POST /v1/sessions', 2000, async (i) => {
    const response = await runtime.app.request('/v1/sessions', {
      method: 'POST',
      headers: { ...auth, 'idempotency-key': `bench-${i}` },
      body: JSON.stringify({ amount: '100.00', currency: 'THB', reference: `bench-${i}` }),
    });
    sessions.push((await response.json()) as { id: string; clientSecret: string });
  });
  await timed('GET /v1/checkout/:id', 2000, async (i) => {
    const session = sessions[i % sessions.length]!;
    await (
      await runtime.app.request(`/v1/checkout/${session.id}`, {
        headers: { 'tender-client-secret': session.clientSecret },
      })
    ).json();
  });
  await timed('GET /v1/sessions/:id', 2000, async (i) => {
    await (await runtime.app.request(`/v1/sessions/${sessions[i % sessions.length]!.id}`, { headers: auth })).json();
  });

  console.log('\nSSE fan-out: one session, N open streams, one event');
  for (const streams of [10, 100, 500]) {
    const session = sessions[streams]!;
    const readers = await Promise.all(
      Array.from({ length: streams }, async () => {
        const response = await runtime.app.request(`/v1/checkout/${session.id}/events?secret=${session.clientSecret}`);
        return response.body!.pipeThrough(new TextDecoderStream()).getReader();
      }),
    );
    // Drain the `ready` event first.
    await Promise.all(readers.map((reader) => reader.read()));
    const started = performance.now();
    const arrived = Promise.all(
      readers.map(async (reader) => {
        let text = '';
        while (!text.includes('event: status')) text += (await reader.read()).value ?? '';
        return performance.now() - started;
      }),
    );
    // One event, committed and announced the way the checkout service does it.
    const fresh = (await runtime.store.getSession(session.id))!;
    await runtime.store.commit({
      sessionId: session.id,
      expectedVersion: fresh.version,
      session: { status: 'canceled' },
      event: { status: 'canceled', attempt: null, at: new Date().toISOString() },
    });
    runtime.hub.publish(session.id);
    const times = (await arrived).sort((a, b) => a - b);
    console.log(
      `  ${String(streams).padStart(4)} streams: last delivery after ${times.at(-1)!.toFixed(1)} ms (p50 ${percentile(times, 50).toFixed(1)} ms)`,
    );
    await Promise.all(readers.map((reader) => reader.cancel()));
  }
  await runtime.close();
  rmSync(dir, { recursive: true, force: true });
}

bundleSizes();
await api();
