import autocannon, { type Request } from 'autocannon';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import pg from 'pg';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { items, loadQuestions } from '../evals/evaluate.ts';
import { createAssistant } from '../server/assistant.ts';
import { ROOT } from '../server/config.ts';
import { startServerProcess, type ServerProcess } from '../server/testing-process.ts';
import { multiplyCorpus } from './synthetic-corpus.ts';

/**
 * `npm run bench [-- --json] [-- --duration 3] [-- --rounds 3]`: the real server as its own process on loopback (with the floor
 * route of floor-server.ts), loaded with autocannon; every load run is bounded by --duration seconds. Figures, not assertions: the targets of
 * issue 7 are printed beside them.
 */

const TARGETS = { chatP95AtC16Ms: 25, chatShareOfTrivial: 0.3, rssMb: 250, index10xSeconds: 30 };
const CONCURRENCY = [1, 16, 64];

const args = process.argv.slice(2);
const asJson = args.includes('--json');
const option = (name: string, fallback: number) => {
  const at = args.indexOf(name);
  return at >= 0 ? Math.max(1, Math.floor(Number(args[at + 1])) || fallback) : fallback;
};
const DURATION = option('--duration', 3);
/** trivial, chat and floor are loaded back to back this many times per concurrency: ratios are medians of rounds */
const ROUNDS = option('--rounds', 3);
const progress = (s: string) => process.stderr.write(`${s}\n`);

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const median = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 50);

interface Run {
  requestsPerSecond: number;
  /** every 2xx response's time, ms */
  times: number[];
  failed: number;
}

interface Load {
  concurrency: number;
  /** the median of the runs' */
  requestsPerSecond: number;
  /** over every response of every run */
  p50: number;
  p95: number;
  p99: number;
  /** responses that were not 2xx, plus socket errors and timeouts */
  failed: number;
  runs: number;
}

async function run(url: string, concurrency: number, requests: Request[], duration = DURATION): Promise<Run> {
  const times: number[] = [];
  const cannon = autocannon({ url, connections: concurrency, duration, pipelining: 1, requests });
  cannon.on('response', (_client, status, _bytes, ms) => {
    if (status < 300) times.push(ms);
  });
  const result = await cannon;
  return { requestsPerSecond: times.length / result.duration, times, failed: result.non2xx + result.errors + result.timeouts };
}

function summarize(concurrency: number, runs: Run[]): Load {
  const times = runs.flatMap((r) => r.times).sort((a, b) => a - b);
  return {
    concurrency,
    requestsPerSecond: median(runs.map((r) => r.requestsPerSecond)),
    p50: percentile(times, 50),
    p95: percentile(times, 95),
    p99: percentile(times, 99),
    failed: runs.reduce((n, r) => n + r.failed, 0),
    runs: runs.length,
  };
}

/** Milliseconds from sending the question to the first SSE event arriving. */
function firstEvent(url: string, message: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(
      `${url}/api/chat`,
      { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream' } },
      (res) => {
        let seen = '';
        let done = false;
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          seen += d;
          if (!done && seen.includes('event:')) {
            done = true;
            resolve(performance.now() - started);
          }
        });
        res.on('end', () => (done ? undefined : reject(new Error(`không có sự kiện SSE (HTTP ${res.statusCode})`))));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify({ message }));
  });
}

async function timed(url: string, message: string, audience: string): Promise<number> {
  const started = performance.now();
  const res = await fetch(`${url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message, audience }) });
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return performance.now() - started;
}

function memoryOf(pid: number): { rssMb: number; peakRssMb: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
    return { rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024 };
  } catch {
    return null; // not Linux
  }
}

async function indexBuild(corpusDir: string): Promise<{ chunks: number; seconds: number; indexSeconds: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cnsh-bench-index-'));
  try {
    const started = performance.now();
    const assistant = await createAssistant({ dataDir, corpusDir });
    const seconds = (performance.now() - started) / 1000;
    const result = { chunks: assistant.index.chunks, seconds, indexSeconds: assistant.index.ms / 1000 };
    assistant.close();
    return result;
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function widgetGzip(): Promise<{ gzipKb: number | null; note: string }> {
  try {
    const { widgetSize } = (await import('../widget/size.ts')) as { widgetSize: () => Promise<{ gzipBytes: number }> };
    return { gzipKb: (await widgetSize()).gzipBytes / 1024, note: 'widget/size.ts' };
  } catch {
    const file = join(ROOT, 'dist', 'widget.js');
    if (!existsSync(file)) return { gzipKb: null, note: 'chưa build' };
    return { gzipKb: gzipSync(readFileSync(file), { level: 9 }).length / 1024, note: 'dist/widget.js' };
  }
}

const questions = items(loadQuestions(join(ROOT, 'evals', 'dev', 'questions')));
const chatRequests: Request[] = questions.map((q) => ({
  method: 'POST',
  path: '/api/chat',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ message: q.question, audience: q.audience }),
}));
const trivialRequests: Request[] = [{ method: 'GET', path: '/healthz' }];
/** the same bodies to the floor route of bench/floor-server.ts: guards, body read and check, a fixed answer */
const floorRequests: Request[] = chatRequests.map((r) => ({ ...r, path: '/api/bench/san' }));
/**
 * Every request a question the server has not seen yet: the same eval questions, each with a different run of
 * trailing "?"/"!" (ignored by the text pipeline, but a new cache key), so retrieval runs in full every time.
 */
let unseen = 0;
const unseenRequests: Request[] = [
  {
    method: 'POST',
    path: '/api/chat',
    headers: { 'content-type': 'application/json' },
    setupRequest: (req) => {
      const n = unseen++;
      const q = questions[n % questions.length]!;
      // from 7 on, every tail has a "!": never the question exactly as the eval file (and the runs above) wrote it
      const round = Math.floor(n / questions.length) + 7;
      const tail = '?'.repeat(round % 7) + '!'.repeat(Math.floor(round / 7));
      return { ...req, body: JSON.stringify({ message: `${q.question.replace(/[?!.\s]+$/, '')}${tail}`, audience: q.audience }) };
    },
  },
];

/** Two loads at once, one per replica, `each` connections apiece: req/s summed, latencies pooled. */
async function runBoth(urls: string[], each: number, requests: Request[]): Promise<Run> {
  const runs = await Promise.all(urls.map((u) => run(u, each, requests)));
  return { requestsPerSecond: runs.reduce((n, r) => n + r.requestsPerSecond, 0), times: runs.flatMap((r) => r.times), failed: runs.reduce((n, r) => n + r.failed, 0) };
}

export interface ReplicaFigures {
  method: string;
  /** one replica on PostgreSQL, 16 connections: what the database alone changes */
  single: Load;
  /** two replicas on the same PostgreSQL, 8 + 8 connections at once */
  two: Load;
  unseenSingle: Load;
  unseenTwo: Load;
}

/**
 * Two replicas on one PostgreSQL, as docs/trien-khai.md §11 deploys them: two server processes (each its own
 * DATA_DIR and index) on a database made for this run on the server DATABASE_URL or TEST_DATABASE_URL names,
 * dropped afterwards. No proxy in between (it would take CPU from the same two cores): autocannon loads both
 * at the same time and the req/s are added. Skipped, with the reason, when no PostgreSQL is given.
 */
async function twoReplicas(): Promise<ReplicaFigures | { skipped: string }> {
  const admin = process.env.DATABASE_URL || process.env.TEST_DATABASE_URL;
  if (!admin) return { skipped: 'không có DATABASE_URL hay TEST_DATABASE_URL: bỏ qua phép đo hai bản sao trên một PostgreSQL' };
  const name = `cnsh_bench_${process.pid}_${Date.now().toString(36)}`;
  const query = async (sql: string) => {
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  try {
    await query(`CREATE DATABASE ${name}`);
  } catch (e) {
    return { skipped: `không tạo được cơ sở dữ liệu thử trên PostgreSQL (${e instanceof Error ? e.message : String(e)}): bỏ qua phép đo hai bản sao` };
  }
  const url = new URL(admin);
  url.pathname = `/${name}`;
  const dirs = [0, 1].map(() => mkdtempSync(join(tmpdir(), 'cnsh-bench-ban-sao-')));
  const replicas: ServerProcess[] = [];
  try {
    progress('Hai bản sao trên một PostgreSQL: khởi động…');
    const env = (dir: string) => ({ DATA_DIR: dir, DATABASE_URL: url.toString(), RATE_LIMIT_PER_MINUTE: '0', MAX_STREAMS: '10000' });
    replicas.push(...(await Promise.all(dirs.map((dir) => startServerProcess(env(dir), 'bench/floor-server.ts')))));
    const urls = replicas.map((r) => r.url);
    await runBoth(urls, 4, chatRequests);
    progress(`Một bản rồi hai bản trên PostgreSQL, /api/chat, 16 kết nối: ${ROUNDS} vòng, mỗi lượt ${DURATION} s…`);
    const single: Run[] = [];
    const two: Run[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      single.push(await run(urls[0]!, 16, chatRequests));
      two.push(await runBoth(urls, 8, chatRequests));
    }
    progress('Câu hỏi chưa gặp, một bản rồi hai bản…');
    const unseenSingle = summarize(16, [await run(urls[0]!, 16, unseenRequests)]);
    const unseenTwo = summarize(16, [await runBoth(urls, 8, unseenRequests)]);
    return {
      method: 'hai tiến trình, DATA_DIR riêng, một PostgreSQL; autocannon tải cả hai cùng lúc (8 + 8 kết nối), cộng req/s; không có proxy',
      single: summarize(16, single),
      two: summarize(16, two),
      unseenSingle,
      unseenTwo,
    };
  } finally {
    for (const r of replicas) if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGTERM');
    await Promise.all(replicas.map((r) => r.exited));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    await query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
  }
}

const dataDir = mkdtempSync(join(tmpdir(), 'cnsh-bench-'));
progress(`Khởi động máy chủ (RATE_LIMIT_PER_MINUTE=0)…`);
const server = await startServerProcess({ DATA_DIR: dataDir, RATE_LIMIT_PER_MINUTE: '0', MAX_STREAMS: '10000' }, 'bench/floor-server.ts');
const url = server.url;

try {
  progress('Khởi động nóng…');
  await run(url, 8, chatRequests, 2);

  const chat: Load[] = [];
  const trivial: Load[] = [];
  const floor: Load[] = [];
  /** per concurrency, the medians of each round's chat ÷ trivial, floor ÷ trivial and chat ÷ floor */
  const ratios: { chat: number; floor: number; chatOfFloor: number }[] = [];
  for (const c of CONCURRENCY) {
    progress(`Tải /healthz, /api/chat và sàn POST, ${c} kết nối: ${ROUNDS} vòng, mỗi lượt ${DURATION} s…`);
    const rounds: { trivial: Run; chat: Run; floor: Run }[] = [];
    for (let i = 0; i < ROUNDS; i++)
      rounds.push({ trivial: await run(url, c, trivialRequests), chat: await run(url, c, chatRequests), floor: await run(url, c, floorRequests) });
    trivial.push(summarize(c, rounds.map((r) => r.trivial)));
    chat.push(summarize(c, rounds.map((r) => r.chat)));
    floor.push(summarize(c, rounds.map((r) => r.floor)));
    const share = (a: Run, b: Run) => a.requestsPerSecond / b.requestsPerSecond;
    ratios.push({
      chat: median(rounds.map((r) => share(r.chat, r.trivial))),
      floor: median(rounds.map((r) => share(r.floor, r.trivial))),
      chatOfFloor: median(rounds.map((r) => share(r.chat, r.floor))),
    });
  }
  progress(`Tải /api/chat với câu hỏi chưa gặp (không trúng bộ nhớ đệm), 1 và 16 kết nối…`);
  const unseenLoad = [summarize(1, [await run(url, 1, unseenRequests)]), summarize(16, [await run(url, 16, unseenRequests)])];
  const memory = memoryOf(server.child.pid!);

  progress('SSE: thời gian tới sự kiện đầu tiên…');
  const sse: number[] = [];
  for (let i = 0; i < 50; i++) sse.push(await firstEvent(url, questions[i % questions.length]!.question));
  sse.sort((a, b) => a - b);

  progress(`Độ trễ trên ${questions.length} câu hỏi của evals, lần lượt từng câu…`);
  const evalTimes: number[] = [];
  for (const q of questions) evalTimes.push(await timed(url, q.question, q.audience));
  evalTimes.sort((a, b) => a - b);

  server.child.kill('SIGTERM');
  await server.exited;

  const replicas = await twoReplicas();

  progress('Lập chỉ mục corpus và corpus ×10…');
  const index1 = await indexBuild(join(ROOT, 'corpus'));
  const tenfoldDir = mkdtempSync(join(tmpdir(), 'cnsh-bench-corpus-'));
  let index10: Awaited<ReturnType<typeof indexBuild>>;
  try {
    multiplyCorpus(join(ROOT, 'corpus'), tenfoldDir, 10);
    index10 = await indexBuild(tenfoldDir);
  } finally {
    rmSync(tenfoldDir, { recursive: true, force: true });
  }

  progress('Kích thước widget…');
  const widget = await widgetGzip();

  const at16 = CONCURRENCY.indexOf(16);
  const report = {
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? '', node: process.version, durationSeconds: DURATION, rounds: ROUNDS },
    chat,
    trivial,
    /** medians over the rounds of each round's ratio (runs back to back, so both saw the same machine) */
    chatShareOfTrivial: CONCURRENCY.map((c, i) => ({ concurrency: c, ratio: ratios[i]!.chat })),
    /** POST /api/bench/san (bench/floor-server.ts): what the stack itself allows a chat-shaped request */
    floor,
    floorShareOfTrivial: CONCURRENCY.map((c, i) => ({ concurrency: c, ratio: ratios[i]!.floor })),
    chatShareOfFloor: CONCURRENCY.map((c, i) => ({ concurrency: c, ratio: ratios[i]!.chatOfFloor })),
    chatUnseenQuestions: unseenLoad,
    /** two replicas on one PostgreSQL beside the single embedded process above (or why it was skipped) */
    replicas,
    sseFirstEventMs: { n: sse.length, median: percentile(sse, 50), p95: percentile(sse, 95) },
    evalQuestions: { n: evalTimes.length, p50: percentile(evalTimes, 50), p95: percentile(evalTimes, 95) },
    memory,
    index: { corpus: index1, corpus10x: index10 },
    widget,
    targets: {
      chatP95AtC16: { target: TARGETS.chatP95AtC16Ms, value: chat[at16]!.p95, met: chat[at16]!.p95 <= TARGETS.chatP95AtC16Ms },
      chatShareOfTrivialAtC16: { target: TARGETS.chatShareOfTrivial, value: ratios[at16]!.chat, met: ratios[at16]!.chat >= TARGETS.chatShareOfTrivial },
      rssMb: { target: TARGETS.rssMb, value: memory?.rssMb ?? null, met: memory ? memory.rssMb <= TARGETS.rssMb : null },
      index10xSeconds: { target: TARGETS.index10xSeconds, value: index10.seconds, met: index10.seconds <= TARGETS.index10xSeconds },
    },
  };

  if (asJson) {
    console.log(JSON.stringify(report));
  } else {
    const ms = (x: number) => `${x.toFixed(1)} ms`.padStart(9);
    const mark = (met: boolean | null) => (met === null ? '–' : met ? '✓' : '✗');
    const t = report.targets;
    const lines = [
      `Máy: ${report.machine.cpus} × ${report.machine.cpu}, Node ${report.machine.node}; trên loopback, mỗi lượt tải ${DURATION} s,`,
      `${ROUNDS} vòng /healthz → /api/chat → sàn POST liền nhau ở mỗi mức c: req/s và tỉ lệ là trung vị các vòng`,
      '',
      'route          c     req/s        p50        p95        p99   lỗi   chat/trivial',
      '-'.repeat(80),
    ];
    CONCURRENCY.forEach((c, i) => {
      for (const [name, r, ratio] of [
        ['/healthz', trivial[i]!, null],
        ['/api/chat', chat[i]!, ratios[i]!.chat],
        ['sàn POST', floor[i]!, ratios[i]!.floor],
      ] as const)
        lines.push(
          `${name.padEnd(11)} ${String(c).padStart(4)} ${r.requestsPerSecond.toFixed(0).padStart(9)}  ${ms(r.p50)}  ${ms(r.p95)}  ${ms(r.p99)} ${String(r.failed).padStart(5)}   ${ratio === null ? '' : `${(100 * ratio).toFixed(1)}%`}`,
        );
    });
    for (const r of unseenLoad)
      lines.push(
        `${'chat (mới)'.padEnd(11)} ${String(r.concurrency).padStart(4)} ${r.requestsPerSecond.toFixed(0).padStart(9)}  ${ms(r.p50)}  ${ms(r.p95)}  ${ms(r.p99)} ${String(r.failed).padStart(5)}   ${(100 * (r.requestsPerSecond / trivial[CONCURRENCY.indexOf(r.concurrency)]!.requestsPerSecond)).toFixed(1)}%`,
      );
    const at16Chat = chat[at16]!;
    const at16Unseen = unseenLoad[1]!;
    lines.push('');
    if ('skipped' in replicas) lines.push(`Hai bản sao: ${replicas.skipped}`);
    else {
      lines.push(
        `Hai bản sao trên một PostgreSQL (${replicas.method}):`,
        'cách chạy                      req/s        p50        p95        p99   lỗi   so với 1 bản SQLite',
        '-'.repeat(90),
      );
      const row = (label: string, r: Load, base: Load) =>
        `${label.padEnd(26)} ${r.requestsPerSecond.toFixed(0).padStart(9)}  ${ms(r.p50)}  ${ms(r.p95)}  ${ms(r.p99)} ${String(r.failed).padStart(5)}   ${(100 * (r.requestsPerSecond / base.requestsPerSecond)).toFixed(0)}%`;
      lines.push(
        row('/api/chat, 1 bản SQLite', at16Chat, at16Chat),
        row('/api/chat, 1 bản PostgreSQL', replicas.single, at16Chat),
        row('/api/chat, 2 bản PostgreSQL', replicas.two, at16Chat),
        row('chat (mới), 1 bản SQLite', at16Unseen, at16Unseen),
        row('chat (mới), 1 bản PostgreSQL', replicas.unseenSingle, at16Unseen),
        row('chat (mới), 2 bản PostgreSQL', replicas.unseenTwo, at16Unseen),
      );
    }
    lines.push(
      '',
      'sàn POST: POST /api/bench/san (bench/floor-server.ts) — cùng lớp bảo vệ, cùng đọc và kiểm tra thân JSON, trả một',
      '          câu trả lời cố định cỡ câu trả lời thật; không tìm kiếm, không ghi nhật ký câu hỏi',
      `SSE, tới sự kiện đầu tiên (n=${report.sseFirstEventMs.n}):  trung vị ${report.sseFirstEventMs.median.toFixed(1)} ms, p95 ${report.sseFirstEventMs.p95.toFixed(1)} ms`,
      `/api/chat trên ${report.evalQuestions.n} câu hỏi evals, lần lượt:  p50 ${report.evalQuestions.p50.toFixed(1)} ms, p95 ${report.evalQuestions.p95.toFixed(1)} ms`,
      `Lập chỉ mục corpus:      ${index1.chunks} đoạn, ${index1.seconds.toFixed(2)} s (riêng chỉ mục ${index1.indexSeconds.toFixed(2)} s)`,
      `Lập chỉ mục corpus ×10:  ${index10.chunks} đoạn, ${index10.seconds.toFixed(2)} s (riêng chỉ mục ${index10.indexSeconds.toFixed(2)} s)`,
      `RSS máy chủ sau tải:     ${memory ? `${memory.rssMb.toFixed(0)} MB (đỉnh ${memory.peakRssMb.toFixed(0)} MB)` : 'không đo được'}`,
      `Widget (gzip):           ${widget.gzipKb === null ? widget.note : `${widget.gzipKb.toFixed(1)} KB (${widget.note})`}`,
      '',
      'Mục tiêu',
      `  ${mark(t.chatP95AtC16.met)} /api/chat p95 ở c=16 ≤ ${TARGETS.chatP95AtC16Ms} ms: ${t.chatP95AtC16.value.toFixed(1)} ms`,
      `  ${mark(t.chatShareOfTrivialAtC16.met)} thông lượng chat ≥ ${100 * TARGETS.chatShareOfTrivial}% route tầm thường (c=16): ${(100 * t.chatShareOfTrivialAtC16.value).toFixed(0)}%` +
        ` (sàn POST: ${(100 * ratios[at16]!.floor).toFixed(0)}% route tầm thường; chat bằng ${(100 * ratios[at16]!.chatOfFloor).toFixed(0)}% sàn)`,
      `  ${mark(t.rssMb.met)} RSS ≤ ${TARGETS.rssMb} MB: ${t.rssMb.value === null ? '–' : `${t.rssMb.value.toFixed(0)} MB`}`,
      `  ${mark(t.index10xSeconds.met)} corpus ×10 lập chỉ mục ≤ ${TARGETS.index10xSeconds} s: ${t.index10xSeconds.value.toFixed(2)} s`,
    );
    console.log(lines.join('\n'));
  }
} finally {
  if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
}
