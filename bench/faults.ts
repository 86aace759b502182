/**
 * Part 5: faults and load. The generated checkout-sessions REST adapter (its `main()`, with 1 s per
 * attempt, 2.5 s per call, 2 retries) and, as the peer, the node:http pass-through proxy, each in
 * front of an upstream that resets 10% of connections, answers 5% with a 500 and leaves 5% hanging
 * (a seeded draw per request, the same sequence every run).
 *
 *   npx tsx bench/faults.ts   (BENCH_FAULT_SECONDS=<s>, default 15; BENCH_SOAK_SECONDS=<s>, default 60)
 *
 * 50 connections from this process (node:http, keep-alive): 80% `GET ...?limit=3`, 20% `POST` with a
 * JSON body and a fresh `Idempotency-Key: bench-<n>`; a POST answered 502, 503 or 504 is retried by the
 * caller with the same key, twice at most (a well-behaved client). Each answer must arrive within 10 s
 * and be well formed: a 200 with the list (GET) or an object (POST), or an error in Stripe's shape
 * (`{"error": {"type", "message"}}`). The first BENCH_FAULT_SECONDS give the answer figures; the load
 * then goes on to BENCH_SOAK_SECONDS, and the server's RSS (from /proc) at the end of the soak is
 * compared with its RSS at the end of the first window. The upstream counts POSTs per key.
 */
import http from 'node:http';
import { readFileSync } from 'node:fs';
import {
  isMain,
  median,
  runStandalone,
  startChild,
  type ChildServer,
  type PartResult,
} from './lib/common.js';

const FAULT_SECONDS = Number(process.env.BENCH_FAULT_SECONDS ?? 15);
const SOAK_SECONDS = Math.max(FAULT_SECONDS, Number(process.env.BENCH_SOAK_SECONDS ?? 60));
const CONNECTIONS = 50;
const ANSWER_TIMEOUT_MS = 10_000;
const POST_SHARE = 0.2;
const CALLER_RETRIES = 2;

interface Tally {
  answers: number;
  wellFormed: number;
  /** Answers that were not well formed, connections that failed, answers later than 10 s. */
  malformed: number;
  timeouts: number;
  byStatus: Map<number, number>;
  postOperations: number;
}

interface Run {
  window: Tally;
  total: Tally;
  rssWindowMb: number;
  rssEndMb: number;
  crashed: boolean;
}

interface UpstreamStats {
  posts: number;
  keys: number;
  withoutCallerKey: number;
  maxArrivalsPerKey: number;
  keysAnsweredTwice: number;
}

const emptyTally = (): Tally => ({
  answers: 0,
  wellFormed: 0,
  malformed: 0,
  timeouts: 0,
  byStatus: new Map(),
  postOperations: 0,
});

function rssMb(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** A 200 carrying the expected JSON, or an error in Stripe's shape. */
function wellFormed(status: number, text: string, method: string): boolean {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return false;
  }
  if (typeof body !== 'object' || body === null) return false;
  const record = body as Record<string, unknown>;
  if (status === 200) return method === 'POST' || Array.isArray(record.data);
  const error = record.error as Record<string, unknown> | undefined;
  return (
    status >= 400 &&
    typeof error === 'object' &&
    error !== null &&
    typeof error.type === 'string' &&
    typeof error.message === 'string'
  );
}

function send(
  agent: http.Agent,
  base: URL,
  method: string,
  path: string,
  key: string | undefined,
): Promise<{ status: number; text: string } | 'failed' | 'timeout'> {
  const body = method === 'POST' ? '{"mode":"payment"}' : undefined;
  return new Promise((resolve) => {
    const req = http.request(
      {
        hostname: base.hostname,
        port: base.port,
        method,
        path,
        agent,
        timeout: ANSWER_TIMEOUT_MS,
        headers: {
          ...(body ? { 'content-type': 'application/json' } : {}),
          ...(key ? { 'idempotency-key': key } : {}),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        res.on('error', () => resolve('failed'));
      },
    );
    req.on('timeout', () => {
      req.destroy();
      resolve('timeout');
    });
    req.on('error', () => resolve('failed'));
    req.end(body);
  });
}

/** Runs the load against `target` until the soak ends; the answer tally of the first window apart. */
async function load(target: ChildServer, paths: { get: string; post: string }): Promise<Run> {
  const base = new URL(target.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const started = performance.now();
  const windowEnd = started + FAULT_SECONDS * 1000;
  const soakEnd = started + SOAK_SECONDS * 1000;
  const window = emptyTally();
  const total = emptyTally();
  const rssSamples: Array<{ at: number; mb: number }> = [];
  const sampler = setInterval(
    () => rssSamples.push({ at: performance.now(), mb: rssMb(target.pid) }),
    500,
  );
  let nextKey = 0;

  const record = (
    method: string,
    answer: { status: number; text: string } | 'failed' | 'timeout',
  ): void => {
    for (const tally of performance.now() <= windowEnd ? [window, total] : [total]) {
      tally.answers++;
      if (answer === 'timeout') tally.timeouts++;
      if (typeof answer === 'string') {
        tally.malformed++;
        continue;
      }
      tally.byStatus.set(answer.status, (tally.byStatus.get(answer.status) ?? 0) + 1);
      if (wellFormed(answer.status, answer.text, method)) tally.wellFormed++;
      else tally.malformed++;
    }
  };

  const worker = async (seed: number): Promise<void> => {
    let i = seed;
    while (performance.now() < soakEnd) {
      i++;
      if ((i * 0.6180339887) % 1 < POST_SHARE) {
        const key = `bench-${++nextKey}`;
        if (performance.now() <= windowEnd) window.postOperations++;
        total.postOperations++;
        for (let attempt = 0; attempt <= CALLER_RETRIES; attempt++) {
          const answer = await send(agent, base, 'POST', paths.post, key);
          record('POST', answer);
          const retry = typeof answer !== 'string' && [502, 503, 504].includes(answer.status);
          if (!retry || performance.now() >= soakEnd) break;
        }
      } else {
        record('GET', await send(agent, base, 'GET', paths.get, undefined));
      }
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, (_, n) => worker(n * 7)));
  clearInterval(sampler);
  agent.destroy();

  const around = (at: number): number =>
    median(rssSamples.filter((s) => Math.abs(s.at - at) <= 2_500).map((s) => s.mb));
  return {
    window,
    total,
    rssWindowMb: around(windowEnd),
    rssEndMb: around(soakEnd - 2_500),
    crashed: !target.alive(),
  };
}

function statuses(tally: Tally): string {
  return [...tally.byStatus.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([status, n]) => `${status}×${n}`)
    .join(' ');
}

export async function run(): Promise<PartResult> {
  const runs: Record<string, Run> = {};
  const stats: Record<string, UpstreamStats> = {};
  for (const [name, role, paths] of [
    [
      'adapter',
      'rest-faults',
      { get: '/v1/v1/checkout/sessions?limit=3', post: '/v1/v1/checkout/sessions' },
    ],
    ['proxy', 'proxy', { get: '/v1/checkout/sessions?limit=3', post: '/v1/checkout/sessions' }],
  ] as const) {
    // A fresh upstream for each, so that both see the same sequence of faults.
    const upstream = await startChild('faulty-upstream');
    const server = await startChild(role, {
      upstream: upstream.url,
      stdout: 'ignore',
      stderr: 'ignore',
    });
    try {
      runs[name] = await load(server, paths);
      stats[name] = (await upstream.ask<{ stats: UpstreamStats }>('stats')).stats;
    } finally {
      await server.stop();
      await upstream.stop();
    }
  }
  const ours = runs.adapter;
  const peer = runs.proxy;
  const pct = (tally: Tally) => (100 * tally.wellFormed) / Math.max(1, tally.answers);
  const growth = (r: Run) => (100 * (r.rssEndMb - r.rssWindowMb)) / r.rssWindowMb;
  const keys = stats.adapter;
  return {
    part: 'faults',
    title: 'Faults and load: 10% resets, 5% 500s, 5% hangs upstream; adapter vs node:http proxy',
    setup: `${CONNECTIONS} connections, 80% GET / 20% POST with Idempotency-Key (callers retry 502/503/504 with the same key, twice at most); answers counted over the first ${FAULT_SECONDS} s, RSS over a ${SOAK_SECONDS} s soak; adapter: 1 s per attempt, 2.5 s per call, 2 retries.`,
    oursName: 'adapter',
    peerName: 'proxy',
    rows: [
      {
        metric: `answers/s (first ${FAULT_SECONDS} s)`,
        ours: ours.window.answers / FAULT_SECONDS,
        peer: peer.window.answers / FAULT_SECONDS,
        unit: 'ans/s',
      },
      {
        metric: 'well-formed answers',
        ours: pct(ours.window),
        peer: pct(peer.window),
        unit: '%',
        decimals: 2,
      },
      {
        metric: 'malformed, failed or missing answers',
        ours: ours.window.malformed,
        peer: peer.window.malformed,
        unit: '',
        decimals: 0,
      },
      {
        metric: 'of which no answer within 10 s',
        ours: ours.window.timeouts,
        peer: peer.window.timeouts,
        unit: '',
        decimals: 0,
      },
      {
        metric: `RSS at ${FAULT_SECONDS} s`,
        ours: ours.rssWindowMb,
        peer: peer.rssWindowMb,
        unit: 'MB',
        decimals: 1,
      },
      {
        metric: `RSS at ${SOAK_SECONDS} s`,
        ours: ours.rssEndMb,
        peer: peer.rssEndMb,
        unit: 'MB',
        decimals: 1,
      },
      {
        metric: 'RSS growth over the soak',
        ours: growth(ours),
        peer: growth(peer),
        unit: '%',
        decimals: 1,
      },
      {
        metric: 'upstream POSTs with a key the caller did not send',
        ours: keys.withoutCallerKey,
        peer: stats.proxy.withoutCallerKey,
        unit: '',
        decimals: 0,
      },
    ],
    aims: [
      {
        text: '0 crashes',
        met: !ours.crashed,
        detail: ours.crashed ? 'the adapter exited' : 'none',
      },
      {
        text: 'every answer well formed',
        met: ours.total.malformed === 0,
        detail: `${ours.total.wellFormed}/${ours.total.answers} over ${SOAK_SECONDS} s`,
      },
      {
        text: 'RSS growth < 10% over the soak',
        met: growth(ours) < 10,
        detail: `${growth(ours).toFixed(1)}%`,
      },
      {
        text: 'no duplicate upstream POST for one Idempotency-Key',
        met: keys.withoutCallerKey === 0,
        detail: `${keys.posts} POSTs under ${keys.keys} caller keys, none with another key; at most ${keys.maxArrivalsPerKey} arrivals per key (retries, deduplicated upstream by the key); ${keys.keysAnsweredTwice} keys answered 200 twice`,
      },
    ],
    notes: [
      `adapter statuses (first ${FAULT_SECONDS} s): ${statuses(ours.window)}`,
      `proxy statuses (first ${FAULT_SECONDS} s): ${statuses(peer.window)}${peer.crashed ? '; the proxy exited' : ''}`,
      `caller POST operations: adapter ${ours.total.postOperations}, proxy ${peer.total.postOperations}`,
    ],
  };
}

if (isMain(import.meta.url)) await runStandalone(run);
