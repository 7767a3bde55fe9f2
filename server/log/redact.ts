/**
 * Personal data is removed from any text before it is stored or sent to a model: phone numbers (mobile,
 * landline, +84 / 0084), citizen-ID and old ID numbers, bank and card numbers, e-mail addresses. Years,
 * dates, sums of money and document numbers ("năm 2025", "QĐ 1639", "1.500.000.000 đồng") stay: they are what
 * the question is about.
 *
 * Matching runs on a *matching copy* of the text, where look-alikes are made plain: NFKC (fullwidth digits and
 * "＠"), every decimal digit of any script as 0–9, invisible characters (zero-width spaces and joiners, soft
 * hyphens, word joiners) removed, and marks stacked on a digit removed. What the copy matches is replaced in
 * the original text, so everything else stays exactly as typed.
 */

export const REDACTED = {
  email: '[email đã ẩn]',
  phone: '[số điện thoại đã ẩn]',
  id: '[số CCCD đã ẩn]',
  number: '[dãy số đã ẩn]',
} as const;

/** The matching copy, and for each of its characters the span of the original it came from. */
interface Copy {
  text: string;
  from: number[];
  to: number[];
}

const digitValues = new Map<number, number>();
/** 0–9 for a decimal digit of any script: Unicode puts each script's digits in order, zero first. */
function digitValue(cp: number): number {
  let v = digitValues.get(cp);
  if (v === undefined) {
    let n = 0;
    while (n < 64 && /\p{Nd}/u.test(String.fromCodePoint(cp - n - 1))) n++;
    v = n % 10;
    digitValues.set(cp, v);
  }
  return v;
}

const INVISIBLE = /[\p{Cf}\u00AD\u034F\u115F\u1160\u3164\uFFA0]/u;

function matchingCopy(text: string): Copy {
  let out = '';
  const from: number[] = [];
  const to: number[] = [];
  let afterDigit = false;
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    const end = i + ch.length;
    if (INVISIBLE.test(ch) || (afterDigit && /\p{M}/u.test(ch))) {
      // a mark on a digit, or an invisible separator: part of the character before
      if (to.length) to[to.length - 1] = end;
      i = end;
      continue;
    }
    let plain = ch.normalize('NFKC');
    if (/\p{Nd}/u.test(plain)) plain = plain.replace(/\p{Nd}/gu, (d) => String(digitValue(d.codePointAt(0)!)));
    for (const c of plain) {
      out += c;
      from.push(i);
      to.push(end);
    }
    afterDigit = /\d$/.test(plain);
    i = end;
  }
  return { text: out, from, to };
}

interface Span {
  start: number;
  end: number;
  marker: string;
}

// ——— e-mail ———

const AT = /@|%40|[([]\s*at\s*[)\]]/giu;
const LOCAL_CHAR = /[\p{L}\p{N}._%+-]/u;
const LABEL = /^[\p{L}\p{N}-]+/u;
const TLD_AFTER_SPACE = /^(?:com|net|org|edu|gov|info|vn|io|co|me|biz)\b/i;

/** "a @ gmail.com", "a(at)gmail[dot]com", "a@gmail . com", "a@gmail,com": found from each "@" outwards, in linear time. */
function emailSpans(s: string): Span[] {
  const spans: Span[] = [];
  for (const m of s.matchAll(AT)) {
    let start = m.index;
    while (start > 0 && s[start - 1] === ' ') start--;
    const localEnd = start;
    while (start > 0 && localEnd - start < 64 && LOCAL_CHAR.test(s[start - 1]!)) start--;
    if (start === localEnd) continue;
    let end = m.index + m[0].length;
    while (s[end] === ' ') end++;
    const first = LABEL.exec(s.slice(end, end + 256));
    if (!first) continue;
    end += first[0].length;
    for (;;) {
      const rest = s.slice(end, end + 256);
      const dot = /^\s*(?:\.|,|[([]\s*dot\s*[)\]])\s*/iu.exec(rest);
      if (!dot) break;
      const label = LABEL.exec(rest.slice(dot[0].length));
      if (!label) break;
      // ", com" or " . vn" only when what follows is a domain ending, not the next word of the sentence
      if (/\s|,/.test(dot[0]) && !TLD_AFTER_SPACE.test(label[0])) break;
      end += dot[0].length + label[0].length;
    }
    if (spans.length && spans.at(-1)!.end > start) continue;
    spans.push({ start, end, marker: REDACTED.email });
  }
  return spans;
}

// ——— numbers ———

/** Digits with what people put between them: spaces, dots, dashes, slashes, underscores, commas, brackets. */
const DIGIT_RUN = /\+?\(?\d+(?:(?:[ \t]{1,4}|[ \t]{0,3}[.\-–—/_,()+][ \t]{0,3}){1,2}\(?\d+)*\)?/g;
/** Where a run holds two things: "079203012345 (41)", "0912 345 678 - 2", "2021, 2022". */
const STRONG_BREAK = /\s+[-–—]\s+|,\s+|;\s*|(?<=\d)\s*(?=\()/g;

const YEAR = /^(?:19|20)\d\d$/;
const UNIT_AFTER = /^\s*(?:đồng|đ|vnđ|vnd|triệu|tỷ|nghìn|ngàn|usd|m[²³23]?|km|kg|tấn|ha|lít|con|hộ|người|%)(?!\p{L})/iu;

/** A number that is no one's: years, dates, sums, the public 1800/1900 lines. */
function isPublic(groups: string[], seps: string[], after: string): boolean {
  const digits = groups.join('');
  if (groups.every((g) => YEAR.test(g))) return true;
  if (groups.length === 3 && groups[0]!.length <= 2 && groups[1]!.length <= 2 && /^(?:\d{2}|\d{4})$/.test(groups[2]!) && seps.every((s) => /^[./-]$/.test(s)))
    return true;
  if (groups.length === 2 && groups[0]!.length <= 2 && groups[1]!.length <= 2) return true;
  // 1.500.000.000 đồng; 150.000.000 đồng
  const thousands = groups.length >= 2 && groups.slice(1).every((g) => g.length === 3) && seps.every((s) => s === seps[0] && /^[.,]$/.test(s));
  if (thousands && (groups[0]!.length <= 2 || UNIT_AFTER.test(after))) return true;
  if (/^1[89]00/.test(digits) && (digits.length === 8 || digits.length === 10)) return true;
  return false;
}

function kindOf(digits: string): string | null {
  if (digits.length < 8 || digits.length > 19) return digits.length > 19 ? REDACTED.number : null;
  if (digits.length === 12 && digits.startsWith('0')) return REDACTED.id;
  if (/^(?:0084|84)/.test(digits) && digits.length >= 11 && digits.length <= 13) return REDACTED.phone;
  if (digits.startsWith('0') && digits.length >= 10 && digits.length <= 11) return REDACTED.phone;
  return REDACTED.number;
}

/** Personal numbers in one piece of a run: the longest personal number from each group on, left to right. */
function pieceSpans(s: string, offset: number, piece: string, after: string, out: Span[]): void {
  const groups: { text: string; start: number; end: number }[] = [];
  for (const m of piece.matchAll(/\d+/g)) groups.push({ text: m[0], start: offset + m.index, end: offset + m.index + m[0].length });
  for (let i = 0; i < groups.length; ) {
    let found = -1;
    let marker = '';
    let length = 0;
    let j = i;
    for (; j < groups.length && length + groups[j]!.text.length <= 24; j++) length += groups[j]!.text.length;
    for (j = j - 1; j >= i; j--) {
      const part = groups.slice(i, j + 1);
      const seps = part.slice(1).map((g, k) => s.slice(part[k]!.end, g.start).trim() || ' ');
      const tail = j + 1 < groups.length ? s.slice(groups[j]!.end, groups[j + 1]!.start) : after;
      const kind = kindOf(part.map((g) => g.text).join(''));
      if (!kind) continue;
      if (isPublic(part.map((g) => g.text), seps, tail)) break;
      found = j;
      marker = kind;
      break;
    }
    if (found < 0) {
      i++;
      continue;
    }
    // "+84 …", "(024) …": the prefix goes with the number
    let start = groups[i]!.start;
    while (start > offset && /[+(]/.test(s[start - 1]!)) start--;
    let end = groups[found]!.end;
    if (s[end] === ')' && s.slice(start, end).includes('(')) end++;
    out.push({ start, end, marker });
    i = found + 1;
  }
}

function numberSpans(s: string): Span[] {
  const spans: Span[] = [];
  for (const run of s.matchAll(DIGIT_RUN)) {
    const text = run[0];
    if ((text.match(/\d/g)?.length ?? 0) < 8) continue;
    const after = s.slice(run.index + text.length, run.index + text.length + 12);
    let at = 0;
    for (const b of [...text.matchAll(STRONG_BREAK), null]) {
      const end = b ? b.index : text.length;
      pieceSpans(s, run.index + at, text.slice(at, end), b ? '' : after, spans);
      if (b) at = b.index + b[0].length;
    }
  }
  return spans;
}

/** The personal numbers of a text as digit strings (the model-output checks compare them with the sources). */
export function personalNumbers(text: string): string[] {
  const copy = matchingCopy(text).text;
  return numberSpans(copy).map((sp) => copy.slice(sp.start, sp.end).replace(/\D/g, ''));
}

/**
 * Nothing to find without a digit (any script, fullwidth included) or something that can stand for "@": most
 * questions are plain words, and the matching copy below is the costly part.
 */
const MAY_HOLD_PERSONAL = /[\p{Nd}\p{No}@＠﹫]|%40|\bat\b|a còng|acong|\bdot\b|chấm/iu;

export function redact(text: string): string {
  if (!text || !MAY_HOLD_PERSONAL.test(text.normalize('NFKC'))) return text;
  const copy = matchingCopy(text);
  const spans = [...emailSpans(copy.text), ...numberSpans(copy.text)].sort((a, b) => a.start - b.start);
  if (!spans.length) return text;
  let out = '';
  let at = 0;
  for (const sp of spans) {
    const start = copy.from[sp.start]!;
    if (start < at) continue; // overlaps what was already replaced
    out += text.slice(at, start) + sp.marker;
    at = copy.to[sp.end - 1]!;
  }
  return out + text.slice(at);
}
