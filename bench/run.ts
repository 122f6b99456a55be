/**
 * `npm run bench`: Tender beside a bare Hono app on @hono/node-server, both on loopback in their own
 * processes (bench/servers.ts), driven by the same in-process load generator (autocannon) in
 * interleaved rounds. Prints every figure, with its ratio to the bare app where there is one, and
 * writes them to bench/RESULTS.md with the machine they came from. Nothing here asserts: the targets
 * are read off the table. Everything stops by itself; settings (all optional):
 *
 *   BENCH_SECONDS=5            length of one load round
 *   BENCH_ROUNDS=3             rounds per figure, alternating which app goes first
 *   BENCH_CONNECTIONS=64       connections of the throughput rounds
 *   BENCH_RATE=1000            requests/s of the fixed-rate latency rounds
 *   BENCH_SAMPLES=100          callback → browser deliveries timed per level
 *   BENCH_OTHER_STREAMS=1,1000,10000   other streams open during those deliveries
 *   BENCH_MAX_STREAMS=20000    streams opened for the memory-per-stream figure
 *   BENCH_POSTGRES=auto        `off` skips the cross-instance figure; `auto` starts a throwaway
 *                              cluster when initdb is installed; a postgres:// URL uses that database
 *   BENCH_NAVIGATIONS=20       hosted page navigations timed in Chromium (CHROME_PATH, else /usr/bin/chromium)
 *   BENCH_ONLY=<parts>         only these parts, comma-separated: bundles, api (throughput and fixed-rate
 *                              latency), page (the hosted page in Chromium), streams, cross-instance
 *   BENCH_RESULTS=bench/RESULTS.md     where the results go (`-` for nowhere; a BENCH_ONLY run
 *                              writes nowhere unless this is set, so a partial run keeps the full table)
 *   BENCH_PROFILE=<dir>        Tender's processes write a CPU profile there (node --cpu-prof)
 *
 * Many streams need many file descriptors on both ends: the run re-executes itself under a raised
 * `ulimit -n` (its children inherit it); where the hard limit cannot be raised the stream counts
 * shrink to fit and the results say so.
 */
import autocannon from 'autocannon';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';

const root = new URL('..', import.meta.url).pathname;
const WANTED_FILES = 65_536;

// ---- file descriptors: re-run under a raised limit -----------------------------------------------

if (process.env.TENDER_BENCH_FDS === undefined) {
  const script = new URL(import.meta.url).pathname;
  const child = spawnSync(
    '/bin/sh',
    [
      '-c',
      `ulimit -n ${WANTED_FILES} 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null; TENDER_BENCH_FDS="$(ulimit -n)" exec "$0" "$@"`,
      process.execPath,
      '--import',
      'tsx',
      script,
    ],
    { stdio: 'inherit', cwd: root },
  );
  process.exit(child.status ?? 1);
}

const settings = {
  seconds: Number(process.env.BENCH_SECONDS ?? 5),
  rounds: Number(process.env.BENCH_ROUNDS ?? 3),
  connections: Number(process.env.BENCH_CONNECTIONS ?? 64),
  rate: Number(process.env.BENCH_RATE ?? 1000),
  samples: Number(process.env.BENCH_SAMPLES ?? 100),
  otherStreams: (process.env.BENCH_OTHER_STREAMS ?? '1,1000,10000').split(',').map(Number),
  maxStreams: Number(process.env.BENCH_MAX_STREAMS ?? 20_000),
  navigations: Number(process.env.BENCH_NAVIGATIONS ?? 20),
  postgres: process.env.BENCH_POSTGRES ?? 'auto',
  only: process.env.BENCH_ONLY ? process.env.BENCH_ONLY.split(',').map((part) => part.trim()) : null,
  results: process.env.BENCH_RESULTS ?? (process.env.BENCH_ONLY ? '-' : join(root, 'bench/RESULTS.md')),
  files: process.env.TENDER_BENCH_FDS === 'unlimited' ? Infinity : Number(process.env.TENDER_BENCH_FDS),
};
const PARTS = ['bundles', 'api', 'page', 'streams', 'cross-instance'] as const;
const unknownPart = settings.only?.find((part) => !(PARTS as readonly string[]).includes(part));
if (unknownPart !== undefined) {
  console.error(`BENCH_ONLY: no part "${unknownPart}" (parts: ${PARTS.join(', ')})`);
  process.exit(2);
}
const wants = (part: (typeof PARTS)[number]) => settings.only === null || settings.only.includes(part);
/** Streams the file limit allows: each costs one descriptor here and one in the server; keep 2,000 spare. */
const streamRoom = Math.max(0, Math.floor(settings.files - 2_000));

const SECRET = 'sk_test_bench_0123456789';
const merchant = { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json' };
const lines: string[] = [];
const notes: string[] = [];

function say(line = ''): void {
  console.log(line);
  lines.push(line);
}

// ---- servers -------------------------------------------------------------------------------------

interface Server {
  name: string;
  port: number;
  url: string;
  child: ChildProcess;
  memory(): Promise<{ rss: number; heapUsed: number; external: number }>;
  stop(): Promise<void>;
}

const running = new Set<Server>();

async function startServer(name: string, kind: 'bare' | 'tender', env: Record<string, string> = {}): Promise<Server> {
  const profile =
    kind === 'tender' && process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  const child = spawn(
    process.execPath,
    [...profile, '--expose-gc', '--import', 'tsx', join(root, 'bench/servers.ts'), kind],
    {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 60 s`)), 60_000);
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code} before it listened`)));
    child.on('message', (message: { type: string; port?: number }) => {
      if (message.type === 'ready') {
        clearTimeout(timer);
        resolve(message.port!);
      }
    });
  });
  const server: Server = {
    name,
    port,
    url: `http://127.0.0.1:${port}`,
    child,
    memory: () =>
      new Promise((resolve) => {
        const listener = (message: { type: string; rss: number; heapUsed: number; external: number }) => {
          if (message.type !== 'memory') return;
          child.off('message', listener);
          resolve(message);
        };
        child.on('message', listener);
        child.send({ type: 'memory' });
      }),
    stop: () =>
      new Promise((resolve) => {
        running.delete(server);
        if (child.exitCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.send({ type: 'stop' });
      }),
  };
  running.add(server);
  return server;
}

// ---- HTTP helpers --------------------------------------------------------------------------------

async function json<T>(server: Server, path: string, init: RequestInit & { expect?: number } = {}): Promise<T> {
  const response = await fetch(`${server.url}${path}`, init);
  const text = await response.text();
  if (response.status !== (init.expect ?? 200)) {
    throw new Error(`${init.method ?? 'GET'} ${path} on ${server.name}: ${response.status} ${text.slice(0, 300)}`);
  }
  return JSON.parse(text) as T;
}

interface Session {
  id: string;
  clientSecret: string;
}

let keyCounter = 0;
const freshKey = () => `bench-${process.pid}-${++keyCounter}`;

function createSession(server: Server, currency = 'CAD'): Promise<Session> {
  return json<Session>(server, '/v1/sessions', {
    method: 'POST',
    headers: { ...merchant, 'idempotency-key': freshKey() },
    body: JSON.stringify({ amount: '100.00', currency, reference: `bench-${keyCounter}` }),
    expect: 201,
  });
}

/** Runs `count` tasks, `width` at a time. */
async function inBatches<T>(count: number, width: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const out = new Array<T>(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, count) }, async () => {
      while (next < count) {
        const i = next++;
        out[i] = await task(i);
      }
    }),
  );
  return out;
}

// ---- SSE clients ---------------------------------------------------------------------------------

interface SseClient {
  /** Resolves at the first `status` event after this call whose data matches. */
  nextStatus(match: (data: string) => boolean): Promise<number>;
  close(): void;
}

/**
 * Opens one status stream from `localAddress` (loopback has a whole /8, so streams spread over many
 * source addresses, as shoppers would, and stay within the per-address limit).
 */
function openStream(server: Server, session: Session, localAddress: string, lastEventId = 0): Promise<SseClient> {
  return new Promise((resolve, reject) => {
    const request = http.get(
      {
        host: '127.0.0.1',
        port: server.port,
        path: `/v1/checkout/${session.id}/events?secret=${session.clientSecret}&lastEventId=${lastEventId}`,
        localAddress,
        agent: false,
        headers: { accept: 'text/event-stream' },
      },
      (response) => {
        if (response.statusCode !== 200) {
          response.resume();
          reject(
            new Error(
              `stream on ${server.name}: HTTP ${response.statusCode} (${response.headers['retry-after'] ?? ''})`,
            ),
          );
          return;
        }
        let buffer = '';
        let waiter: { match: (data: string) => boolean; resolve: (at: number) => void } | null = null;
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          if (!waiter) return;
          buffer += chunk;
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            if (!block.includes('event: status')) continue;
            const data = /^data: (.*)$/m.exec(block)?.[1] ?? '';
            if (waiter?.match(data)) {
              const done = waiter;
              waiter = null;
              done.resolve(performance.now());
            }
          }
        });
        response.on('error', () => undefined);
        resolve({
          nextStatus: (match) =>
            new Promise((resolveAt) => {
              buffer = '';
              waiter = { match, resolve: resolveAt };
            }),
          close: () => request.destroy(),
        });
      },
    );
    request.on('error', reject);
  });
}

/** Source addresses 127.1.0.1, 127.1.0.2, …: 16 streams each, half the per-address limit. */
const sourceAddress = (i: number) => {
  const n = Math.floor(i / 16) + 1;
  return `127.1.${(n >> 8) & 255}.${n & 255}`;
};

// ---- load rounds ---------------------------------------------------------------------------------

interface Load {
  requests: number;
  p50: number;
  p99: number;
  errors: number;
}

async function load(
  url: string,
  request: autocannon.Request,
  options: Partial<autocannon.Options> = {},
): Promise<Load> {
  const result = await autocannon({
    url,
    connections: settings.connections,
    duration: settings.seconds,
    requests: [request],
    ...options,
  });
  return {
    requests: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.non2xx + result.errors + result.timeouts,
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const POST_BODY = JSON.stringify({ amount: '100.00', currency: 'CAD', reference: 'bench-load' });
const barePost: autocannon.Request = { method: 'POST', path: '/v1/sessions', headers: merchant, body: POST_BODY };
const bareGet: autocannon.Request = { method: 'GET', path: '/v1/checkout/ses_bare' };

function postRequest(): autocannon.Request {
  return {
    ...barePost,
    // A fresh Idempotency-Key on every request: each one makes a new, durable session.
    setupRequest: (request) => ({ ...request, headers: { ...request.headers, 'idempotency-key': freshKey() } }),
  };
}

function getRequest(sessions: Session[]): autocannon.Request {
  let i = 0;
  return {
    method: 'GET',
    path: `/v1/checkout/${sessions[0]!.id}`,
    setupRequest: (request) => {
      const session = sessions[i++ % sessions.length]!;
      return {
        ...request,
        path: `/v1/checkout/${session.id}`,
        headers: { ...request.headers, 'tender-client-secret': session.clientSecret },
      };
    },
  };
}

interface Figure {
  figure: string;
  bare: string;
  tender: string;
  ratio: string;
  target: string;
}
const table: Figure[] = [];

function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

async function throughput(bare: Server, tender: Server, sessions: Session[]): Promise<void> {
  say(
    `\nThroughput: ${settings.rounds} interleaved rounds of ${settings.seconds} s, ${settings.connections} connections`,
  );
  const figures = [
    { figure: 'POST JSON → 201 (`POST /v1/sessions`)', target: '≥ 0.25', request: () => postRequest(), bare: 'POST' },
    { figure: 'GET JSON (`GET /v1/checkout/:id`)', target: '≥ 0.40', request: () => getRequest(sessions), bare: 'GET' },
  ];
  for (const figure of figures) {
    const runs: Record<'bare' | 'tender', Load[]> = { bare: [], tender: [] };
    for (let round = 0; round < settings.rounds; round++) {
      const order = round % 2 === 0 ? (['bare', 'tender'] as const) : (['tender', 'bare'] as const);
      for (const which of order) {
        const server = which === 'bare' ? bare : tender;
        const request = which === 'tender' ? figure.request() : figure.bare === 'GET' ? bareGet : barePost;
        const result = await load(server.url, request);
        runs[which].push(result);
        say(
          `  round ${round + 1} ${which.padEnd(6)} ${figure.bare.padEnd(4)} ${fmt(result.requests).padStart(7)}/s  p50 ${result.p50} ms  p99 ${result.p99} ms${result.errors ? `  ${result.errors} errors` : ''}`,
        );
      }
    }
    const b = median(runs.bare.map((r) => r.requests));
    const t = median(runs.tender.map((r) => r.requests));
    const errors = runs.tender.reduce((sum, r) => sum + r.errors, 0);
    if (errors) notes.push(`${figure.figure}: Tender answered ${errors} requests with an error or not at all.`);
    say(
      `  ${figure.bare}: bare ${fmt(b)}/s, Tender ${fmt(t)}/s, ratio ${(t / b).toFixed(2)} (target ${figure.target})`,
    );
    table.push({
      figure: figure.figure,
      bare: `${fmt(b)}/s`,
      tender: `${fmt(t)}/s`,
      ratio: (t / b).toFixed(2),
      target: figure.target,
    });
  }
}

async function fixedRate(bare: Server, tender: Server, sessions: Session[]): Promise<void> {
  say(`\nLatency at a fixed ${fmt(settings.rate)} requests/s (${settings.seconds} s, 16 connections)`);
  for (const kind of ['GET', 'POST'] as const) {
    const results: Record<string, Load> = {};
    for (const [which, server] of [
      ['bare', bare],
      ['tender', tender],
    ] as const) {
      const request =
        which === 'bare'
          ? kind === 'GET'
            ? bareGet
            : barePost
          : kind === 'GET'
            ? getRequest(sessions)
            : postRequest();
      results[which] = await load(server.url, request, { connections: 16, overallRate: settings.rate });
      say(`  ${which.padEnd(6)} ${kind.padEnd(4)} p50 ${results[which].p50} ms  p99 ${results[which].p99} ms`);
    }
    table.push({
      figure: `${kind} latency p50 / p99 at ${fmt(settings.rate)}/s`,
      bare: `${results.bare!.p50} / ${results.bare!.p99} ms`,
      tender: `${results.tender!.p50} / ${results.tender!.p99} ms`,
      ratio: '',
      target: '',
    });
  }
}

// ---- callback → browser --------------------------------------------------------------------------

/**
 * One payment's news from the provider to the shopper: an OTT Pay order is paid at the simulator
 * without a callback, then the clock starts and the simulator's `callback` control posts the signed
 * callback to `/v1/notify/ottpay` of `callbackTo`; Tender verifies it, asks the simulator for the
 * order's status, commits, and the clock stops when the SSE client on `streamFrom` reads the
 * `succeeded` status event.
 */
async function deliveryTimes(
  callbackTo: Server,
  streamFrom: Server,
  samples: number,
  addressBase: number,
): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const session = await createSession(callbackTo);
    const attempt = await json<{ id: string }>(callbackTo, `/v1/checkout/${session.id}/attempts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'tender-client-secret': session.clientSecret },
      body: JSON.stringify({ method: 'ottpay.wechat' }),
      expect: 201,
    });
    const client = await openStream(streamFrom, session, sourceAddress(addressBase + i));
    const succeeded = client.nextStatus((data) => data.includes('"status":"succeeded"'));
    const control = `/sandbox/ottpay/_control/orders/${attempt.id}`;
    await json(callbackTo, `${control}/pay?callback=none`, { method: 'POST' });
    const started = performance.now();
    const sent = json(callbackTo, `${control}/callback`, { method: 'POST' });
    times.push((await succeeded) - started);
    await sent;
    client.close();
  }
  return times;
}

async function streams(tender: Server): Promise<void> {
  const levels = settings.otherStreams.filter((n) => n <= streamRoom);
  const skipped = settings.otherStreams.filter((n) => n > streamRoom);
  if (skipped.length) {
    notes.push(
      `Callback → browser with ${skipped.join(', ')} other streams was skipped: the open-file limit (${settings.files}) leaves room for ${streamRoom}.`,
    );
  }
  const maxStreams = Math.min(settings.maxStreams, streamRoom);
  if (maxStreams < settings.maxStreams) {
    notes.push(
      `Only ${fmt(maxStreams)} streams were opened (not ${fmt(settings.maxStreams)}): the open-file limit is ${settings.files}.`,
    );
  }
  const needed = Math.max(maxStreams, ...levels);
  say(`\nStatus streams: opening up to ${fmt(needed)} (two per session, 16 per source address)`);
  const sessionCount = Math.ceil(needed / 2);
  const started = performance.now();
  const sessions = await inBatches(sessionCount, 32, () => createSession(tender, 'THB'));
  say(`  ${fmt(sessionCount)} sessions created in ${fmt((performance.now() - started) / 1000, 1)} s`);

  const open: SseClient[] = [];
  const openUpTo = async (count: number) => {
    const from = open.length;
    const added = await inBatches(count - from, 100, (i) =>
      openStream(tender, sessions[Math.floor((from + i) / 2)]!, sourceAddress(from + i)),
    );
    open.push(...added);
  };

  await new Promise((resolve) => setTimeout(resolve, 500));
  const before = await tender.memory();
  const baseline = { count: 0, memory: before };
  const addressBase = needed + 16;
  // Warm-up: the first deliveries pay for compiling the callback path.
  await deliveryTimes(tender, tender, 10, addressBase);
  for (const level of levels) {
    await openUpTo(level);
    const times = await deliveryTimes(tender, tender, settings.samples, addressBase);
    const p50 = percentile(times, 50);
    const p99 = percentile(times, 99);
    say(
      `  callback → browser with ${fmt(level).padStart(6)} other streams: p50 ${p50.toFixed(1)} ms  p99 ${p99.toFixed(1)} ms  (n=${times.length})`,
    );
    table.push({
      figure: `callback → browser p50 / p99, ${fmt(level)} other streams`,
      bare: '',
      tender: `${p50.toFixed(1)} / ${p99.toFixed(1)} ms`,
      ratio: '',
      target: level >= 10_000 ? 'p99 ≤ 25 ms' : '',
    });
  }
  await openUpTo(maxStreams);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const after = await tender.memory();
  const count = open.length - baseline.count;
  const rss = (after.rss - before.rss) / count / 1024;
  const heap = (after.heapUsed + after.external - before.heapUsed - before.external) / count / 1024;
  say(`  ${fmt(open.length)} streams open on one instance: RSS +${fmt((after.rss - before.rss) / 2 ** 20)} MiB`);
  say(`  memory per open stream: ${rss.toFixed(1)} KiB RSS, ${heap.toFixed(1)} KiB JS heap + external`);
  table.push({
    figure: `memory per open stream (${fmt(open.length)} open)`,
    bare: '',
    tender: `${rss.toFixed(1)} KiB RSS (${heap.toFixed(1)} KiB heap)`,
    ratio: '',
    target: '≤ 16 KiB',
  });
  // With every stream open, the instance still serves the API.
  const probe = await load(tender.url, getRequest(sessions.slice(0, 100)), { connections: 16, duration: 2 });
  say(`  GET /v1/checkout/:id with ${fmt(open.length)} streams open: ${fmt(probe.requests)}/s, p99 ${probe.p99} ms`);
  for (const client of open) client.close();
}

// ---- hosted page in Chromium --------------------------------------------------------------------

/**
 * Runs in each page before any of the page's own scripts (an init script: the page's CSP does not
 * govern it). "Painted" is measured inside the page, on the page's clock, whose zero is the start of
 * the navigation: after each change to the document or to the element's shadow root (the server's
 * declarative root, or the one the element attaches: attachShadow is wrapped to reach it, since a
 * MutationObserver on the document does not see into shadow trees) the root is checked for the first
 * method's label; once it is there, a requestAnimationFrame callback runs just before the frame that
 * shows it, and a task queued from there runs once that frame has been produced, so
 * `performance.now()` in it is when the method list was first painted. "Interactive" is the same for
 * the element's own list (the server's drawing is inert until the element replaces it). CSP
 * violations are counted on the way.
 */
const PAINT_PROBE = `(() => {
  const probe = (window.tenderBench = { inDom: 0, painted: 0, interactive: 0, violations: [] });
  document.addEventListener('securitypolicyviolation', (event) => {
    probe.violations.push(event.effectiveDirective + ' blocked ' + (event.blockedURI || 'inline code'));
  }, true);
  const framed = (key) => requestAnimationFrame(() => setTimeout(() => { probe[key] = performance.now(); }));
  let own = false;
  const check = () => {
    const root = document.querySelector('tender-checkout')?.shadowRoot;
    if (!root || !root.querySelector('[part~="method"]')) return;
    if (!probe.inDom) {
      probe.inDom = performance.now();
      framed('painted');
    }
    if (!own && !root.querySelector('[inert]')) {
      own = true;
      framed('interactive');
    }
  };
  const watched = new WeakSet();
  new MutationObserver(() => {
    const root = document.querySelector('tender-checkout')?.shadowRoot;
    if (root && !watched.has(root)) {
      watched.add(root);
      new MutationObserver(check).observe(root, { childList: true, subtree: true });
    }
    check();
  }).observe(document, { childList: true, subtree: true });
  // A declarative root is attached by the parser, which tells no observer: looked for at each frame too.
  const poll = () => {
    check();
    if (!probe.inDom) requestAnimationFrame(poll);
  };
  requestAnimationFrame(poll);
  const attach = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (init) {
    const shadow = attach.call(this, init);
    if (this.localName === 'tender-checkout' && !watched.has(shadow)) {
      watched.add(shadow);
      new MutationObserver(check).observe(shadow, { childList: true, subtree: true });
    }
    return shadow;
  };
})();`;

interface PageRun {
  /** Navigation start → method list painted. */
  painted: number;
  /** Navigation start → the element's own method list painted (it answers the shopper). */
  interactive: number;
  /** Navigation start → the page's HTML received, the bundle received, the method list in the DOM. */
  html: number;
  bundle: number;
  inDom: number;
  /** `GET /v1/checkout/:id` requests the page made before the list was painted. */
  viewRequests: number;
  violations: string[];
}

/**
 * The hosted page as a shopper opens it: `BENCH_NAVIGATIONS` navigations, each to a fresh session
 * in a fresh browser context (nothing cached: a first visit), English, desktop viewport, timed from
 * navigation start to the method list painted (`PAINT_PROBE`).
 */
async function hostedPage(tender: Server): Promise<void> {
  const figure = 'hosted page: method list painted after navigation p50 / p99';
  say(`\nHosted page in Chromium: ${settings.navigations} navigations to fresh sessions, nothing cached`);
  const chromePath = process.env.CHROME_PATH || '/usr/bin/chromium';
  const missing = !existsSync(chromePath)
    ? `no Chromium at ${chromePath} (install it, e.g. \`apt-get install chromium\`, or set CHROME_PATH)`
    : !existsSync(join(root, 'widget/dist/tender.iife.js'))
      ? 'the widget is not built (run `npm run build`)'
      : null;
  if (missing) {
    say(`  skipped: ${missing}`);
    notes.push(`The hosted page was not measured: ${missing}.`);
    table.push({ figure, bare: '', tender: 'not measured', ratio: '', target: '≤ 100 ms' });
    return;
  }
  const { chromium } = await import('playwright-core');
  const { CHROME_FLAGS } = await import('../test/e2e/harness.ts');
  const browser = await chromium.launch({ executablePath: chromePath, args: CHROME_FLAGS, headless: true });
  const navigate = async (): Promise<PageRun> => {
    const session = await createSession(tender);
    const context = await browser.newContext();
    try {
      await context.addInitScript(PAINT_PROBE);
      const page = await context.newPage();
      let viewRequests = 0;
      page.on('request', (request) => {
        if (new URL(request.url()).pathname === `/v1/checkout/${session.id}`) viewRequests += 1;
      });
      await page.goto(`${tender.url}/pay/${session.id}?secret=${encodeURIComponent(session.clientSecret)}`);
      // A function, not a string: the page's CSP forbids evaluating strings, and Playwright's polling would.
      await page.waitForFunction(
        () => (window as unknown as { tenderBench: { interactive: number } }).tenderBench.interactive > 0,
        undefined,
        {
          timeout: 10_000,
        },
      );
      const measured = await page.evaluate<Omit<PageRun, 'viewRequests'>>(`(() => {
        const bundle = performance.getEntriesByType('resource').find((entry) => /\\/tender(\\.[0-9a-f]+)?\\.js$/.test(entry.name));
        const fcp = performance.getEntriesByType('paint').find((entry) => entry.name === 'first-contentful-paint');
        return {
          // A list in the DOM before the first contentful paint is in that frame: its time is exact,
          // where the task after a frame can wait behind the page's script.
          painted: fcp && window.tenderBench.inDom <= fcp.startTime ? fcp.startTime : window.tenderBench.painted,
          interactive: window.tenderBench.interactive,
          inDom: window.tenderBench.inDom,
          violations: window.tenderBench.violations,
          html: performance.getEntriesByType('navigation')[0].responseEnd,
          bundle: bundle ? bundle.responseEnd : NaN,
        };
      })()`);
      return { ...measured, viewRequests };
    } finally {
      await context.close();
    }
  };
  /**
   * The floor this browser and machine set: a page with no script at all (the hosted page's "not
   * valid" answer, plain HTML and its stylesheet, same server) opened the same way, to its first
   * contentful paint. No page can paint its content sooner here.
   */
  const staticPaint = async (): Promise<number> => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${tender.url}/pay/ses_${'0'.repeat(20)}?secret=none`);
      await page.waitForFunction(
        () => performance.getEntriesByType('paint').some((entry) => entry.name === 'first-contentful-paint'),
        undefined,
        { timeout: 10_000 },
      );
      return await page.evaluate(
        () => performance.getEntriesByType('paint').find((entry) => entry.name === 'first-contentful-paint')!.startTime,
      );
    } finally {
      await context.close();
    }
  };
  try {
    // Warm-up: the first pages pay for compiling the page route and for Chromium's own start.
    for (let i = 0; i < 3; i++) await navigate();
    const runs: PageRun[] = [];
    const floor: number[] = [];
    for (let i = 0; i < settings.navigations; i++) {
      runs.push(await navigate());
      floor.push(await staticPaint());
    }
    const painted = runs.map((run) => run.painted);
    const p50 = percentile(painted, 50);
    const p99 = percentile(painted, 99);
    const p50Of = (key: 'html' | 'bundle' | 'inDom' | 'interactive') =>
      percentile(
        runs.map((run) => run[key]),
        50,
      ).toFixed(1);
    say(`  method list painted: p50 ${p50.toFixed(1)} ms  p99 ${p99.toFixed(1)} ms  (n=${runs.length})`);
    const floor50 = percentile(floor, 50);
    const floor99 = percentile(floor, 99);
    say(
      `  floor: a page with no script (the "not valid" page) first painted: p50 ${floor50.toFixed(1)} ms  p99 ${floor99.toFixed(1)} ms`,
    );
    say(
      `  p50 of each step: HTML received ${p50Of('html')} ms, bundle received ${p50Of('bundle')} ms, list in the DOM ${p50Of('inDom')} ms, the element's own list painted ${p50Of('interactive')} ms`,
    );
    const fetched = runs.reduce((sum, run) => sum + run.viewRequests, 0);
    say(`  GET /v1/checkout/:id before the list was painted: ${fetched} in ${runs.length} navigations`);
    const violations = [...new Set(runs.flatMap((run) => run.violations))];
    say(`  CSP violations: ${violations.length ? violations.join('; ') : 'none'}`);
    if (violations.length) notes.push(`The hosted page met CSP violations: ${violations.join('; ')}.`);
    // The static page stands in the bare column: the same browser's floor, not a framework's.
    table.push({
      figure,
      bare: `${floor50.toFixed(1)} / ${floor99.toFixed(1)} ms (no script)`,
      tender: `${p50.toFixed(1)} / ${p99.toFixed(1)} ms`,
      ratio: '',
      target: '≤ 100 ms',
    });
  } finally {
    await browser.close();
  }
}

// ---- cross-instance on PostgreSQL ----------------------------------------------------------------

interface Cluster {
  url: string;
  stop(): void;
}

function startCluster(): Cluster | string {
  const initdb = spawnSync(
    'sh',
    ['-c', 'command -v initdb || ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | tail -n 1'],
    {
      encoding: 'utf8',
    },
  ).stdout.trim();
  if (!initdb) return 'initdb is not installed';
  const bin = initdb.slice(0, initdb.lastIndexOf('/'));
  const dir = mkdtempSync(join(tmpdir(), 'tender-bench-pg-'));
  const root = process.getuid?.() === 0;
  if (root) spawnSync('chown', ['postgres', dir]);
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const run = (command: string) =>
    root
      ? spawnSync('su', ['postgres', '-s', '/bin/sh', '-c', command], { encoding: 'utf8' })
      : spawnSync('sh', ['-c', command], { encoding: 'utf8' });
  const init = run(`'${bin}/initdb' -D '${dir}/data' -A trust -U postgres >/dev/null`);
  if (init.status !== 0) return `initdb failed: ${init.stderr.trim().split('\n')[0]}`;
  const start = run(
    `'${bin}/pg_ctl' -D '${dir}/data' -o '-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=on' -l '${dir}/log' -w start >/dev/null`,
  );
  if (start.status !== 0) return `pg_ctl start failed: ${start.stderr.trim().split('\n')[0]}`;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop() {
      run(`'${bin}/pg_ctl' -D '${dir}/data' -m fast stop >/dev/null`);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function crossInstance(): Promise<void> {
  say('\nCross-instance delivery: two BFFs on one PostgreSQL database');
  let cluster: Cluster | null = null;
  let url = settings.postgres;
  if (url === 'off') return skipCrossInstance('BENCH_POSTGRES=off');
  if (!url.startsWith('postgres')) {
    const started = startCluster();
    if (typeof started === 'string') return skipCrossInstance(started);
    cluster = started;
    url = started.url;
  }
  try {
    const a = await startServer('tender-a', 'tender', { BENCH_DATABASE: url });
    const b = await startServer('tender-b', 'tender', { BENCH_DATABASE: url });
    try {
      // The callback reaches A; the shopper's stream is on B.
      await deliveryTimes(a, b, 5, 0); // warm-up
      const times = await deliveryTimes(a, b, settings.samples, 100);
      const same = await deliveryTimes(a, a, Math.min(settings.samples, 50), 400);
      const p50 = percentile(times, 50);
      const p99 = percentile(times, 99);
      say(`  callback on A → stream on B: p50 ${p50.toFixed(1)} ms  p99 ${p99.toFixed(1)} ms  (n=${times.length})`);
      say(
        `  (same instance on PostgreSQL, for comparison: p50 ${percentile(same, 50).toFixed(1)} ms  p99 ${percentile(same, 99).toFixed(1)} ms)`,
      );
      table.push({
        figure: 'cross-instance callback → browser p50 / p99 (PostgreSQL)',
        bare: '',
        tender: `${p50.toFixed(1)} / ${p99.toFixed(1)} ms`,
        ratio: '',
        target: 'p99 ≤ 50 ms',
      });
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  } finally {
    cluster?.stop();
  }
}

function skipCrossInstance(why: string): void {
  say(`  skipped: ${why}`);
  notes.push(`Cross-instance delivery was not measured: ${why}.`);
  table.push({
    figure: 'cross-instance callback → browser p50 / p99 (PostgreSQL)',
    bare: '',
    tender: `not measured (${why})`,
    ratio: '',
    target: 'p99 ≤ 50 ms',
  });
}

// ---- bundles -------------------------------------------------------------------------------------

function bundles(): void {
  say('\nWidget bundles (widget/dist/)');
  const dist = join(root, 'widget', 'dist');
  if (!existsSync(dist)) {
    say('  not built: run `npm run build` first');
    notes.push('Widget bundle sizes are missing: `widget/dist/` was not built.');
    return;
  }
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) {
        if (name !== 'demo') walk(path);
      } else if (name.endsWith('.js')) files.push(path);
    }
  };
  walk(dist);
  for (const path of files.sort()) {
    const bytes = readFileSync(path);
    const name = relative(root, path);
    const gzip = gzipSync(bytes, { level: 9 }).length;
    say(
      `  ${name.padEnd(44)} ${fmt(bytes.length / 1024, 1).padStart(7)} KiB raw  ${fmt(gzip / 1024, 1).padStart(6)} KiB gzip`,
    );
    if (/dist\/tender(\.iife)?\.js$/.test(name))
      table.push({
        figure: `bundle ${name} (gzip)`,
        bare: '',
        tender: `${fmt(gzip / 1024, 1)} KiB`,
        ratio: '',
        target: '',
      });
  }
}

// ---- the run -------------------------------------------------------------------------------------

function machine(): string {
  const cpu = cpus();
  return [
    `- CPU: ${cpu[0]?.model ?? 'unknown'}, ${cpu.length} cores`,
    `- memory: ${fmt(totalmem() / 2 ** 30, 1)} GiB`,
    `- Node ${process.version}, ${process.platform} ${process.arch}`,
    `- open-file limit for the run: ${settings.files}`,
    `- date: ${new Date().toISOString()}`,
    `- settings: ${settings.rounds} rounds × ${settings.seconds} s, ${settings.connections} connections, fixed rate ${settings.rate}/s, ${settings.samples} deliveries per level`,
  ].join('\n');
}

async function main(): Promise<void> {
  const started = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'tender-bench-'));
  try {
    say(`Tender benchmark\n${machine()}`);
    if (wants('bundles')) bundles();
    if (wants('api') || wants('page') || wants('streams')) {
      const tender = await startServer('tender', 'tender', { BENCH_DATABASE: `sqlite:${join(dir, 'bench.db')}` });
      if (wants('api')) {
        const bare = await startServer('bare', 'bare');
        // Sessions to read, each with an OTT Pay attempt, so the view carries an attempt as a shopper's would.
        const sessions = await inBatches(200, 8, async () => {
          const session = await createSession(tender);
          await json(tender, `/v1/checkout/${session.id}/attempts`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'tender-client-secret': session.clientSecret },
            body: JSON.stringify({ method: 'ottpay.wechat' }),
            expect: 201,
          });
          return session;
        });
        await throughput(bare, tender, sessions);
        await fixedRate(bare, tender, sessions);
        await bare.stop();
      }
      if (wants('page')) await hostedPage(tender);
      if (wants('streams')) await streams(tender);
      await tender.stop();
    }
    if (wants('cross-instance')) await crossInstance();
    say(`\nDone in ${fmt((performance.now() - started) / 1000)} s`);
    writeResults();
  } finally {
    await Promise.all([...running].map((server) => server.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
}

function writeResults(): void {
  if (settings.results === '-') return;
  const previous = existsSync(settings.results) ? readFileSync(settings.results, 'utf8') : '';
  // Everything after this marker is kept: the analysis written by hand below the measured figures.
  const marker = '<!-- analysis: kept across runs -->';
  const analysis = previous.includes(marker) ? previous.slice(previous.indexOf(marker)) : marker + '\n';
  const rows = table.map((row) => `| ${row.figure} | ${row.bare} | ${row.tender} | ${row.ratio} | ${row.target} |`);
  const text = [
    '# Benchmark results',
    '',
    'Written by `npm run bench` (bench/run.ts); rerun it to refresh everything above the analysis.',
    '',
    '## Machine',
    '',
    machine(),
    '',
    '## Figures',
    '',
    '| figure | bare Hono | Tender | ratio | target |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
    ...(notes.length ? ['Notes from this run:', '', ...notes.map((note) => `- ${note}`), ''] : []),
    '<details><summary>Full output</summary>',
    '',
    '```text',
    ...lines,
    '```',
    '',
    '</details>',
    '',
    analysis.trimEnd(),
    '',
  ].join('\n');
  writeFileSync(settings.results, text);
  console.log(`\nWritten to ${relative(root, settings.results)}`);
}

const deadline = setTimeout(() => {
  console.error('bench: still running after 20 minutes; stopping');
  for (const server of running) server.child.kill('SIGKILL');
  process.exit(1);
}, 20 * 60_000);
deadline.unref();
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    for (const server of running) server.child.kill('SIGKILL');
    process.exit(130);
  });

await main();
process.exit(0);
