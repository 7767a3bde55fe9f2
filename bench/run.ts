import autocannon, { type Request } from 'autocannon';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { items, loadQuestions } from '../evals/evaluate.ts';
import { createAssistant } from '../server/assistant.ts';
import { ROOT } from '../server/config.ts';
import { startServerProcess } from '../server/testing-process.ts';
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
