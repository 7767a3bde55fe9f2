/**
 * `npm run bench:security`: the security review's figures measured again (shared/reviews/security-review.md).
 * Every server is `node --max-old-space-size=256 --import tsx server/main.ts` on loopback, as `npm start` runs
 * it, behind a "trusted proxy" (TRUST_PROXY=1, the client address set in X-Forwarded-For, as nginx would).
 * Every flood has a fixed count and a time limit; every process is stopped by its pid.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ROOT } from '../server/config.ts';
import { openDatabase } from '../server/index/db.ts';
import { PLANTED_PII, plainForSearch, tellTale } from '../server/log/planted-pii.ts';
import { addStaff } from '../server/review/staff.ts';
import { ensureReviewTables } from '../server/review/db.ts';
import { sqliteDatabase } from '../server/store/index.ts';

const json = process.argv.includes('--json');
const log = (...a: unknown[]) => console.error(...a);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const HEAP_MB = 256;

interface Running {
  url: string;
  proc: ChildProcess;
  dataDir: string;
  exited: () => boolean;
  output: () => string;
}

const scratch = mkdtempSync(join(tmpdir(), 'cnsh-secbench-'));
let template: string | null = null;

async function start(env: Record<string, string> = {}, dataDir?: string): Promise<Running> {
  let dir = dataDir;
  if (!dir) {
    dir = mkdtempSync(join(scratch, 'data-'));
    if (template) cpSync(template, dir, { recursive: true });
  }
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const proc = spawn(process.execPath, [`--max-old-space-size=${HEAP_MB}`, ...profile, '--import', 'tsx', 'server/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dir, TRUST_PROXY: '1', LLM_BASE_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let gone = false;
  proc.on('exit', () => (gone = true));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 60_000);
    const read = (d: Buffer) => {
      out += d.toString();
      const m = /http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${m[1]}`);
      }
    };
    proc.stdout!.on('data', read);
    proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    proc.on('exit', () => reject(new Error(`server exited: ${out.slice(-2000)}`)));
  });
  return { url, proc, dataDir: dir, exited: () => gone, output: () => out };
}

async function stop(s: Running, signal: NodeJS.Signals = 'SIGTERM') {
  if (s.exited()) return;
  const done = new Promise((r) => s.proc.once('exit', r));
  s.proc.kill(signal);
  await Promise.race([done, sleep(15_000)]);
}

function memory(pid: number): { rssMb: number; hwmMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rssMb: Math.round(kb('VmRSS') / 1024), hwmMb: Math.round(kb('VmHWM') / 1024) };
}

const chat = (url: string, body: unknown, from: string, signal?: AbortSignal) =>
  fetch(`${url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': from }, body: JSON.stringify(body), signal });

// ——— 1. bad inputs ———
async function badInputs(s: Running): Promise<{ sent: number; fivexx: number; statuses: Record<string, number> }> {
  const reqs: { path: string; init?: RequestInit }[] = [];
  for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', '..%2Fadmin.js', '%00'])
    reqs.push({ path: `/admin/static/${name}` });
  const login = await fetch(`${s.url}/admin/dang-nhap`);
  const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const token = /name="_login" value="([^"]+)"/.exec(await login.text())?.[1] ?? '';
  const same = { origin: s.url, 'sec-fetch-site': 'same-origin', cookie };
  for (const [type, body] of [
    ['multipart/form-data', 'garbage'],
    ['multipart/form-data; boundary=x', '--x\r\nbroken'],
    ['multipart/form-data; boundary=x', `--x\r\nContent-Disposition: form-data; name="_login"\r\n\r\n${token}\r\n--x`],
    ['multipart/form-data; boundary=', ''],
    ['application/x-www-form-urlencoded', '%%%=%'],
    ['application/x-www-form-urlencoded', `_login=${token}&username[]=a&password=${'x'.repeat(5000)}`],
  ] as const)
    reqs.push({ path: '/admin/dang-nhap', init: { method: 'POST', headers: { 'content-type': type, ...same, 'x-forwarded-for': '192.0.2.250' }, body } });
  const chatBodies: string[] = [
    '{', '{"message":', '{"message":"a"}x', "{'message':'a'}", '{"message":NaN}', '{"message":1e999}', '[]', 'null', '"x"',
    '{"message":"Biogas là gì?","conversationId":"0912345678"}', '{"message":"Biogas là gì?","conversationId":"../../etc"}',
    '{"message":"Biogas là gì?","conversationId":"__proto__"}', '{"message":"Biogas là gì?","site":{"a":1}}',
    `{"message":"${'a'.repeat(1501)}"}`, `{"message":"${'\u0301'.repeat(3000)}"}`, '{"message":["a"]}',
    `{"message":"${'[['.repeat(2000)}"}`, '{"__proto__":{"message":"x"}}', '{"message":"\\ud800"}', '{"message":"\\u0000"}',
    '{"message":"Biogas","audience":"admin"}',
  ];
  for (const body of chatBodies) reqs.push({ path: '/api/chat', init: { method: 'POST', headers: { 'content-type': 'application/json' }, body } });
  for (const body of ['{}', '{"messageId":"x","helpful":"yes"}', '{"messageId":"__proto__","helpful":true}', `{"messageId":"x","helpful":true,"comment":"${'a'.repeat(3000)}"}`])
    reqs.push({ path: '/api/feedback', init: { method: 'POST', headers: { 'content-type': 'application/json' }, body } });
  for (const path of ['/api/quiz?n=1e1', '/api/quiz?topic=__proto__', '/nguon/..%2F..%2Fpackage.json', '/nguon/__proto__', '/widget-..%2Fpackage.js', '/admin/khong-co', '/%63hat'])
    reqs.push({ path });
  const statuses: Record<string, number> = {};
  let fivexx = 0;
  for (const r of reqs) {
    const res = await fetch(`${s.url}${r.path}`, { redirect: 'manual', ...r.init }).catch(() => null);
    const code = res ? String(res.status) : 'closed';
    statuses[code] = (statuses[code] ?? 0) + 1;
    if (res && res.status >= 500) {
      fivexx++;
      log(`  5xx: ${r.init?.method ?? 'GET'} ${r.path} → ${res.status}`);
    }
    await res?.arrayBuffer().catch(() => null);
  }
  return { sent: reqs.length, fivexx, statuses };
}

// ——— 2. planted personal data ———
async function plantedPii(s: Running): Promise<{ values: number; places: number; foundOnDisk: number; found: string[] }> {
  let places = 0;
  for (const [i, { value }] of PLANTED_PII.entries()) {
    const res = await chat(s.url, { message: `Hầm biogas nạp phân thế nào, liên hệ ${value} giúp em`, site: `trường ${value}` }, `192.0.2.${i % 200}`);
    const { messageId } = (await res.json()) as { messageId: string };
    await fetch(`${s.url}/api/feedback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ messageId, helpful: false, comment: `gọi lại ${value}` }) });
    await (await chat(s.url, { message: 'Biogas là gì?', conversationId: value }, `192.0.2.${i % 200}`)).arrayBuffer();
    places += 4;
  }
  const scan = () => readdirSync(s.dataDir).filter((f) => f.startsWith('cnsh')).map((f) => readFileSync(join(s.dataDir, f)));
  const whileRunning = scan();
  await stop(s);
  const files = [...whileRunning, ...scan()];
  const db = new Database(join(s.dataDir, 'cnsh.sqlite'), { readonly: true });
  const rows = db.prepare('SELECT q.text, q.site, q.answer, q.conversation_id, f.comment FROM questions q LEFT JOIN feedback f ON f.message_id = q.id').all() as Record<string, string | null>[];
  db.close();
  const stored = plainForSearch(rows.map((r) => Object.values(r).join(' \u0001 ')).join('\n')).replace(/(?<=\d)[\s.\-–—/_,()+]+(?=\d)/g, '');
  const found = PLANTED_PII.filter(({ value }) => stored.includes(tellTale(value)) || files.some((b) => b.includes(Buffer.from(value)))).map((p) => `${p.kind}: ${p.value}`);
  return { values: PLANTED_PII.length, places, foundOnDisk: found.length, found };
}

// ——— 3. memory flood ———
async function memoryFlood(env: Record<string, string>, count: number, limitMs: number) {
  const s = await start(env);
  const pid = s.proc.pid!;
  let peak = memory(pid);
  const sampler = setInterval(() => {
    if (!s.exited()) peak = { ...peak, rssMb: Math.max(peak.rssMb, memory(pid).rssMb) };
  }, 200);
  const codes: Record<string, number> = {};
  let i = 0;
  const started = Date.now();
  const worker = async () => {
    while (i < count && Date.now() - started < limitMs && !s.exited()) {
      const k = i++;
      const message = (`${'nn ptnt '.repeat(124)} z${k}`).slice(0, 1000);
      const res = await chat(s.url, { message }, `2001:db8:0:${(k % 256).toString(16)}::1`).catch(() => null);
      const code = res ? String(res.status) : 'error';
      codes[code] = (codes[code] ?? 0) + 1;
      await res?.arrayBuffer().catch(() => null);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  clearInterval(sampler);
  const alive = !s.exited();
  const after = alive ? await (await chat(s.url, { message: 'Đệm lót sinh học là gì?' }, '198.51.100.77')).json().catch(() => null) : null;
  const end = alive ? memory(pid) : { rssMb: 0, hwmMb: peak.hwmMb };
  await stop(s);
  return { sent: i, seconds: Math.round((Date.now() - started) / 100) / 10, codes, survived: alive, answersAfter: !!(after as { answered?: boolean } | null)?.answered, peakRssMb: Math.max(peak.rssMb, end.hwmMb) };
}

// ——— 4. sign-in ———
async function signInPage(url: string) {
  const res = await fetch(`${url}/admin/dang-nhap`);
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const token = /name="_login" value="([^"]+)"/.exec(await res.text())![1]!;
  return { cookie, token };
}
async function signIn(url: string, username: string, password: string, from: string, page?: { cookie: string; token: string }) {
  const { cookie, token } = page ?? (await signInPage(url));
  const started = performance.now();
  const res = await fetch(`${url}/admin/dang-nhap`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, origin: url, 'sec-fetch-site': 'same-origin', 'x-forwarded-for': from },
    body: new URLSearchParams({ _login: token, username, password }),
  });
  await res.arrayBuffer();
  return { status: res.status, ms: performance.now() - started, retryAfter: Number(res.headers.get('retry-after') ?? 0) };
}

async function signInFloods() {
  const dir = mkdtempSync(join(scratch, 'data-'));
  if (template) cpSync(template, dir, { recursive: true });
  const state = sqliteDatabase(openDatabase(dir), { close: true });
  await ensureReviewTables(state);
  await addStaff(state, 'quantri.that', 'mot cum tu that su dai cua quan tri', 'admin'); // production cost
  await addStaff(state, 'canbo.that', 'mot cum tu that su dai cua can bo', 'reviewer');
  await state.close();
  const s = await start({}, dir);
  const page = await signInPage(s.url);
  // 120 parallel guesses for one account from one address (V2), while another member signs in elsewhere (V3)
  const flood = Promise.all(Array.from({ length: 120 }, (_, i) => signIn(s.url, 'quantri.that', `doan-${i}`, '203.0.113.5', page)));
  await sleep(50);
  const real = await signIn(s.url, 'canbo.that', 'mot cum tu that su dai cua can bo', '198.51.100.9');
  const results = await flood;
  const checked = results.filter((r) => r.status === 401 || r.status === 303).length;
  // the same from 120 networks (a botnet), unknown accounts: the hash queue stays bounded
  const botnet = Promise.all(Array.from({ length: 120 }, (_, i) => signIn(s.url, `ke-la-${i}`, 'doan', `198.18.${i}.1`)));
  await sleep(50);
  const t0 = performance.now();
  let during = await signIn(s.url, 'canbo.that', 'mot cum tu that su dai cua can bo', '198.51.100.10');
  while (during.status === 503 && performance.now() - t0 < 10_000) {
    await sleep(Math.min(during.retryAfter * 1000, 1000));
    during = await signIn(s.url, 'canbo.that', 'mot cum tu that su dai cua can bo', '198.51.100.10');
  }
  const duringMs = performance.now() - t0;
  const bot = await botnet;
  const slowest503 = Math.max(0, ...bot.filter((r) => r.status === 503).map((r) => r.ms));
  // a stranger who knows a user name: 5 wrong passwords from 5 addresses, then the owner (V10)
  for (let i = 0; i < 5; i++) await signIn(s.url, 'canbo.that', `sai-${i}`, `203.0.113.${50 + i}`);
  const owner = await signIn(s.url, 'canbo.that', 'mot cum tu that su dai cua can bo', '198.51.100.11');
  // audit: anonymous junk, then failed sign-ins (V9)
  for (let i = 0; i < 65; i++) await (await fetch(`${s.url}/admin/dang-xuat`, { method: 'POST', headers: { origin: 'https://evil.example' }, redirect: 'manual' })).arrayBuffer();
  for (let i = 0; i < 3; i++) await signIn(s.url, 'quantri.that', `sai-nua-${i}`, `192.0.2.${100 + i}`);
  await stop(s);
  const adb = new Database(join(dir, 'cnsh.sqlite'), { readonly: true });
  const fails = (adb.prepare("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'login:fail' AND target = 'quantri.that'").get() as { n: number }).n;
  adb.close();
  const statuses = (list: { status: number }[]) => list.reduce<Record<string, number>>((acc, r) => ((acc[r.status] = (acc[r.status] ?? 0) + 1), acc), {});
  return {
    parallelGuesses: { sent: 120, passwordChecks: checked, statuses: statuses(results) },
    realSignInDuringFloodMs: Math.round(real.ms),
    realSignInStatus: real.status,
    botnet: { sent: 120, statuses: statuses(bot), slowest503Ms: Math.round(slowest503) },
    realSignInDuringBotnetMs: Math.round(duringMs),
    realSignInDuringBotnetStatus: during.status,
    ownerAfterStrangerLockout: owner.status,
    failedSignInsAudited: `${fails - checked} of 3`,
  };
}

// ——— 5. CPU: crafted questions and another user's wait ———
function crafted(k: number): string {
  const letters = 'bcdfghjklmnpqrstvwxz';
  const words: string[] = [];
  for (let i = 0; words.length * 6 < 1500; i++) {
    let w = '';
    let n = k * 1000 + i;
    for (let j = 0; j < 5; j++) {
      w += letters[n % letters.length];
      n = Math.floor(n / letters.length);
    }
    words.push(w);
  }
  return words.join(' ').slice(0, 1500);
}

async function cpuBurst() {
  const s = await start();
  const normal = (k: number) => `Hầm biogas nạp phân thế nào cho an toàn lần ${k} ${'?'.repeat(k % 7)}`;
  // the victim is another person: another process (curl), so the bench's own busy event loop does not count
  const timed = (message: string, from: string) =>
    new Promise<number>((resolve, reject) =>
      execFile(
        'curl',
        ['-s', '-o', '/dev/null', '-w', '%{time_total}', '-H', 'content-type: application/json', '-H', `x-forwarded-for: ${from}`, '--data-binary', JSON.stringify({ message }), `${s.url}/api/chat`],
        (err, out) => (err ? reject(err) : resolve(Number(out) * 1000)),
      ),
    );
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  await timed('Biogas là gì?', '198.51.100.200');
  const normals: number[] = [];
  const craftedTimes: number[] = [];
  for (let k = 0; k < 20; k++) normals.push(await timed(`${normal(k)} ${'xin hỏi '.repeat(k % 3)}${k}`, `198.51.100.${k + 1}`));
  for (let k = 0; k < 20; k++) craftedTimes.push(await timed(crafted(k), `198.51.101.${k + 1}`));
  // baseline of the victim, then ten attacker /56s bursting their 30 allowed crafted questions at once
  const victim = async (ms: number, tag: string) => {
    const waits: number[] = [];
    const until = Date.now() + ms;
    for (let k = 0; Date.now() < until; k++) {
      waits.push(await timed(`Đệm lót sinh học ${tag} ${k} là gì?`, '198.51.100.250'));
      await sleep(30);
    }
    if (process.env.BENCH_DEBUG) log(tag, waits.map(Math.round).join(' '));
    return Math.round(Math.max(...waits));
  };
  const baseline = await victim(1500, 'truoc');
  // the questions are made before the clock starts: making them is the bench's work, not the server's
  const bodies = Array.from({ length: 10 }, (_, a) => Array.from({ length: 30 }, (_, k) => crafted(100 + a * 30 + k)));
  const burst = Promise.all(
    bodies.map((list, a) => Promise.all(list.map((message) => chat(s.url, { message }, `2001:db8:${a + 1}00::1`).then((r) => r.arrayBuffer())))),
  );
  const during = await victim(3000, 'trong');
  await burst;
  await stop(s);
  return { craftedMs: Math.round(median(craftedTimes)), normalMs: Math.round(median(normals)), ratio: Math.round((median(craftedTimes) / median(normals)) * 10) / 10, victimBaselineMaxMs: baseline, victimDuringBurstMaxMs: during };
}

// ——— 6. kill -9 under load ———
async function killRounds(rounds: number) {
  let s = await start({ RATE_LIMIT_PER_MINUTE: '0' });
  const dir = s.dataDir;
  const acked: string[] = [];
  const feedback: string[] = [];
  let unanswered = 0;
  for (let r = 0; r < rounds; r++) {
    const stopAt = Date.now() + 2000 + r * 300;
    const url = s.url;
    const loops = Array.from({ length: 8 }, async (_, l) => {
      for (let k = 0; Date.now() < stopAt; k++) {
        try {
          const res = await chat(url, { message: `Hầm biogas vòng ${r} luồng ${l} câu ${k}?` }, `192.0.2.${l + 1}`);
          if (res.status !== 200) continue;
          const { messageId } = (await res.json()) as { messageId: string };
          acked.push(messageId);
          const fb = await fetch(`${url}/api/feedback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ messageId, helpful: true }) });
          if (fb.status === 204) feedback.push(messageId);
        } catch {
          unanswered++;
        }
      }
    });
    await sleep(1500 + r * 300);
    s.proc.kill('SIGKILL');
    await Promise.all(loops);
    await new Promise((r2) => (s.exited() ? r2(null) : s.proc.once('exit', r2)));
    s = await start({ RATE_LIMIT_PER_MINUTE: '0' }, dir);
  }
  await stop(s);
  const db = new Database(join(dir, 'cnsh.sqlite'), { readonly: true });
  const have = new Set((db.prepare('SELECT id FROM questions').all() as { id: string }[]).map((r) => r.id));
  const haveFb = new Set((db.prepare('SELECT message_id FROM feedback').all() as { message_id: string }[]).map((r) => r.message_id));
  const integrity = db.pragma('integrity_check', { simple: true });
  db.close();
  return { rounds, acknowledgedQuestions: acked.length, lostQuestions: acked.filter((id) => !have.has(id)).length, acknowledgedFeedback: feedback.length, lostFeedback: feedback.filter((id) => !haveFb.has(id)).length, integrity, cutOff: unanswered };
}

async function main() {
  log('indexing a template DATA_DIR…');
  const first = await start();
  await stop(first);
  template = first.dataDir;
  const figures: Record<string, unknown> = {};
  // `--only cpu,signIn` runs some of them
  const only = process.argv.includes('--only') ? new Set(process.argv[process.argv.indexOf('--only') + 1]!.split(',')) : null;
  const want = (name: string) => !only || only.has(name);
  if (want('badInputs')) {
    log('bad inputs…');
    const s1 = await start();
    figures.badInputs = await badInputs(s1);
    await stop(s1);
  }
  if (want('pii')) {
    log('planted personal data…');
    figures.pii = await plantedPii(await start());
  }
  if (want('memory')) {
    log('memory flood (rate limit off: every question reaches the caches)…');
    figures.memoryFloodNoLimit = await memoryFlood({ RATE_LIMIT_PER_MINUTE: '0' }, 6000, 150_000);
    log('memory flood (defaults, one /56)…');
    figures.memoryFloodDefaults = await memoryFlood({}, 4400, 60_000);
  }
  if (want('signIn')) {
    log('sign-in floods…');
    figures.signIn = await signInFloods();
  }
  if (want('cpu')) {
    log('crafted questions and another user’s wait…');
    figures.cpu = await cpuBurst();
  }
  if (want('durability')) {
    log('kill -9 rounds…');
    figures.durability = await killRounds(5);
  }
  if (json) console.log(JSON.stringify(figures, null, 2));
  else console.log(figures);
  rmSync(scratch, { recursive: true, force: true });
}

await main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
if (existsSync(scratch)) rmSync(scratch, { recursive: true, force: true });
