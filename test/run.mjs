#!/usr/bin/env node
// The README's test command (`npm test`): lint (`npm run lint`), type-check, build both packages
// (and the demo's bundle), then run the server tests (node's test runner), the widget tests
// (web-test-runner on real Chromium) and the end-to-end tests (real Chromium driving the demo; the
// packed packages). Ends with one line counting every test; exits non-zero on any failure. Chromium
// is installed with apt when it is missing and this machine allows it.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const only = process.argv.slice(2); // e.g. `npm test -- server` runs just that part
const totals = { passed: 0, failed: 0 };
const failures = [];

function findTests(dir, suffix = '.test.ts') {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? findTests(path, suffix) : name.endsWith(suffix) ? [path] : [];
    })
    .sort();
}

function ensureChromium() {
  const path = process.env.CHROME_PATH || '/usr/bin/chromium';
  if (existsSync(path)) return path;
  const canApt =
    process.getuid?.() === 0 && spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
  if (canApt && !process.env.CHROME_PATH) {
    console.log('Chromium is missing: installing it with apt (apt-get install chromium)…');
    const result = spawnSync(
      'sh',
      ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium'],
      { stdio: 'inherit' },
    );
    if (result.status === 0 && existsSync(path)) return path;
  }
  console.error(
    `\nChromium was not found at ${path}.\n` +
      'Install it (Debian/Ubuntu: `sudo apt-get install chromium`) or point CHROME_PATH at a Chromium/Chrome binary, then run `npm test` again.\n',
  );
  process.exit(1);
}

/** Runs a command, echoing its output, and returns the output and exit code. */
function run(label, command, args, env = {}) {
  console.log(`\n── ${label} ──`);
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const forward = (stream, target) =>
      stream.on('data', (chunk) => {
        output += chunk;
        target.write(chunk);
      });
    forward(child.stdout, process.stdout);
    forward(child.stderr, process.stderr);
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

function record(label, { code }, counts) {
  if (counts) {
    totals.passed += counts.passed;
    totals.failed += counts.failed;
  }
  if (code !== 0 || (counts && counts.failed > 0)) failures.push(label);
  if (code !== 0 && counts && counts.failed === 0) {
    // The step failed without a failing test (a crash, a file that did not load): count it.
    totals.failed += 1;
  }
}

const nodeCounts = (output) => {
  // eslint-disable-next-line no-control-regex -- strips ANSI colour codes
  const plain = output.replace(/\x1b\[[0-9;]*m/g, '');
  const pass = [...plain.matchAll(/^[ℹ#] pass (\d+)/gm)].at(-1);
  const fail = [...plain.matchAll(/^[ℹ#] fail (\d+)/gm)].at(-1);
  return { passed: Number(pass?.[1] ?? 0), failed: Number(fail?.[1] ?? 0) };
};
const wtrCounts = (output) => {
  // eslint-disable-next-line no-control-regex -- strips ANSI colour codes
  const plain = output.replace(/\x1b\[[0-9;]*m/g, '');
  const match = [...plain.matchAll(/(\d+) passed, (\d+) failed/g)].at(-1);
  return { passed: Number(match?.[1] ?? 0), failed: Number(match?.[2] ?? 0) };
};
const wants = (part) => only.length === 0 || only.includes(part);

const chromePath = wants('widget') || wants('e2e') ? ensureChromium() : undefined;
const env = chromePath ? { CHROME_PATH: chromePath } : {};

if (wants('lint')) {
  // tsc, ESLint (strict type-checked rules and the layer rule), lit-analyzer and prettier: one test.
  const result = await run('lint (npm run lint)', 'npm', ['run', '--silent', 'lint']);
  record('lint', result, { passed: result.code === 0 ? 1 : 0, failed: result.code === 0 ? 0 : 1 });
}
if (wants('types')) {
  const result = await run('type-check (tsc --noEmit)', 'npx', ['--no-install', 'tsc', '--noEmit', '-p', '.']);
  record('type-check', result, null);
  if (result.code !== 0) totals.failed += 1;
}
if (wants('widget') || wants('e2e')) {
  const result = await run('build (widget and server packages, demo)', 'npm', ['run', '--silent', 'build']);
  record('build', result, null);
  if (result.code !== 0) totals.failed += 1;
}
if (wants('server')) {
  const files = findTests(join(root, 'test/server')).map((file) => relative(root, file));
  const result = await run(
    `server tests (${files.length} files)`,
    process.execPath,
    ['--import', 'tsx', '--test', '--test-concurrency=2', ...files],
    env,
  );
  record('server tests', result, nodeCounts(result.output));
}
if (wants('widget')) {
  const result = await run(
    'widget tests (web-test-runner, Chromium)',
    'npx',
    ['--no-install', 'web-test-runner', '--config', 'web-test-runner.config.mjs'],
    env,
  );
  record('widget tests', result, wtrCounts(result.output));
}
if (wants('e2e')) {
  const files = findTests(join(root, 'test/e2e')).map((file) => relative(root, file));
  const result = await run(
    `end-to-end tests (${files.length} files, Chromium)`,
    process.execPath,
    ['--import', 'tsx', '--test', '--test-concurrency=1', ...files],
    env,
  );
  record('end-to-end tests', result, nodeCounts(result.output));
}

console.log(`\n${failures.length ? `Failed: ${failures.join(', ')}` : 'All test suites passed.'}`);
console.log(`${totals.passed} passed, ${totals.failed} failed`);
process.exit(failures.length || totals.failed ? 1 : 0);
