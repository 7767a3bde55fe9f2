/**
 * "Đọc": an answer read aloud with the browser's own Vietnamese voice (Web Speech API), for people who read
 * with difficulty. Loaded by <cnsh-chat> with a dynamic import() the first time someone presses "Đọc", as its own
 * chunk (dist/widget-speech-<hash>.js) that imports nothing. No third-party script: the voice is the device's.
 */

/** Abbreviations a voice would spell out letter by letter, as people say them. */
const WORDS: [RegExp, string][] = [
  [/\bCNSH\b/g, 'công nghệ sinh học'],
  [/\bBVMT\b/g, 'bảo vệ môi trường'],
  [/\bUBND\b/g, 'Ủy ban nhân dân'],
  [/\bHĐND\b/g, 'Hội đồng nhân dân'],
  [/\bHTX\b/g, 'hợp tác xã'],
  [/\bVSV\b/g, 'vi sinh vật'],
  [/\bSĐT\b/g, 'số điện thoại'],
  [/\bCCCD\b/g, 'căn cước công dân'],
  [/\bNN&MT\b|\bNNMT\b/g, 'Nông nghiệp và Môi trường'],
  [/\bKH&CN\b/g, 'khoa học và công nghệ'],
  [/\bNĐ-CP\b/g, 'nghị định của Chính phủ'],
  [/\bQĐ\b/g, 'quyết định'],
  [/\bTP\.\s?/g, 'thành phố '],
  [/\bCO2\b|CO₂/g, 'khí các-bon-níc'],
  [/\bCH4\b|CH₄/g, 'khí mê-tan'],
  [/\bH2S\b|H₂S/g, 'khí hy-đrô sun-phua'],
  [/\bNH3\b|NH₃/g, 'khí a-mô-ni-ắc'],
  [/\bpH\b/g, 'pê hát'],
];

/** Units after a number (and the few that stand alone), as words. */
const UNITS: Record<string, string> = {
  'm³': 'mét khối',
  m3: 'mét khối',
  'm²': 'mét vuông',
  m2: 'mét vuông',
  kg: 'ki-lô-gam',
  g: 'gam',
  km: 'ki-lô-mét',
  cm: 'xăng-ti-mét',
  mm: 'mi-li-mét',
  m: 'mét',
  ml: 'mi-li-lít',
  l: 'lít',
  ha: 'héc-ta',
  '°C': 'độ C',
  '%': 'phần trăm',
  h: 'giờ',
};
const DIGITS = ['không', 'một', 'hai', 'ba', 'bốn', 'năm', 'sáu', 'bảy', 'tám', 'chín'];

/** 0–999 as words; `full` reads a group inside a larger number ("không trăm linh năm"). */
function hundreds(n: number, full: boolean): string {
  const h = Math.floor(n / 100);
  const t = Math.floor((n % 100) / 10);
  const u = n % 10;
  const out: string[] = [];
  if (h || full) out.push(DIGITS[h]!, 'trăm');
  if (t > 1) out.push(DIGITS[t]!, 'mươi');
  else if (t === 1) out.push('mười');
  else if (u && out.length) out.push('linh');
  if (u === 1 && t > 1) out.push('mốt');
  else if (u === 5 && t > 0) out.push('lăm');
  else if (u === 4 && t > 1) out.push('tư');
  else if (u || !out.length) out.push(DIGITS[u]!);
  return out.join(' ');
}

/** A whole number as Vietnamese words: 2500000 → "hai triệu năm trăm nghìn". */
export function numberWords(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) return String(n);
  if (n < 1000) return hundreds(n, false);
  const scales = ['', 'nghìn', 'triệu', 'tỷ'];
  const groups: number[] = [];
  for (let rest = n; rest > 0; rest = Math.floor(rest / 1000)) groups.push(rest % 1000);
  if (groups.length > scales.length) return String(n);
  const out: string[] = [];
  for (let i = groups.length - 1; i >= 0; i--) {
    const g = groups[i]!;
    if (!g) continue;
    out.push(hundreds(g, i < groups.length - 1), scales[i]!);
  }
  return out.join(' ').trim().replace(/\s+/g, ' ');
}

/** "1.000" (thousands) and "2,5" (decimal comma), as written in Vietnamese. */
function readNumber(written: string): string {
  const [whole = '', decimal] = written.split(',');
  const n = Number(whole.replace(/\.(?=\d{3}(?:\.|$))/g, ''));
  if (!Number.isFinite(n)) return written;
  const head = numberWords(n);
  return decimal ? `${head} phẩy ${decimal.length > 2 ? [...decimal].map((d) => DIGITS[Number(d)]).join(' ') : numberWords(Number(decimal))}` : head;
}

const NUMBER = String.raw`\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?`;
const UNIT = Object.keys(UNITS)
  .sort((a, b) => b.length - a.length)
  .map((u) => u.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
  .join('|');
const RANGE = new RegExp(String.raw`(?<![\p{L}\d])(${NUMBER})\s*[–-]\s*(${NUMBER})(?![\d])`, 'gu');
const MEASURE = new RegExp(String.raw`(?<![\p{L}\d])(${NUMBER})\s?(${UNIT})(?![\p{L}\d])`, 'gu');
const LONE_UNIT = /(?<![\p{L}\d])(m³|m3|m²|m2|kg|km|ha)(?![\p{L}\d])/gu;
const BARE = new RegExp(String.raw`(?<![\p{L}\d,.])(${NUMBER})(?![\p{L}\d])`, 'gu');

/** The text as a Vietnamese voice should say it: abbreviations, units and numbers written out as words. */
export function speakable(text: string): string {
  let out = text.normalize('NFC');
  for (const [pattern, words] of WORDS) out = out.replace(pattern, words);
  out = out
    .replace(RANGE, (_, a: string, b: string) => `${a} đến ${b}`)
    .replace(MEASURE, (_, n: string, unit: string) => `${readNumber(n)} ${UNITS[unit]}`)
    .replace(LONE_UNIT, (unit: string) => UNITS[unit]!)
    .replace(BARE, (n: string) => readNumber(n));
  return out.replace(/\s+/g, ' ').trim();
}

/** Sentences, spoken one by one: some voices stop a long utterance after about 15 seconds. */
export function speak(synth: SpeechSynthesis, voice: SpeechSynthesisVoice, text: string, done: () => void): void {
  synth.cancel();
  const sentences = speakable(text).split(/(?<=[.!?;:])\s+/).filter(Boolean);
  sentences.forEach((s, i) => {
    const u = new SpeechSynthesisUtterance(s);
    u.lang = 'vi-VN';
    u.voice = voice;
    if (i === sentences.length - 1) u.onend = done;
    u.onerror = done;
    synth.speak(u);
  });
  if (!sentences.length) done();
}
