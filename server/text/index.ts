/**
 * The Vietnamese text pipeline. The same functions run at index time and at query time
 * (normalize → tokenize → expand → terms), so the two can never drift apart. Language only: abbreviations, chat
 * spellings and function words; what a word means in the domain is corpus/lexicon.yaml's, read for questions only.
 */
import { boundedCache } from '../cache/index.ts';

const TONE_MARKS = new Set(['\u0300', '\u0301', '\u0303', '\u0309', '\u0323']);
/** Marks that change the vowel itself (â, ă, ê, ô, ơ, ư): the tone goes on such a vowel first. */
const QUALITY_MARKS = new Set(['\u0302', '\u0306', '\u031B']);
const VOWELS = new Set(['a', 'e', 'i', 'o', 'u', 'y']);

interface Letter {
  base: string; // the letter without tone, with quality marks, NFD
  tone: string; // '' or one combining tone mark
}

function splitLetters(syllable: string): Letter[] {
  const letters: Letter[] = [];
  for (const ch of syllable.normalize('NFD')) {
    const last = letters[letters.length - 1];
    if (last && /\p{M}/u.test(ch)) {
      if (TONE_MARKS.has(ch)) last.tone = ch;
      else last.base += ch;
    } else {
      letters.push({ base: ch, tone: '' });
    }
  }
  return letters;
}

function isVowel(l: Letter): boolean {
  return VOWELS.has(l.base[0]!.toLowerCase());
}

/** Index (in letters) of the vowel that carries the tone, by the modern rule: hòa, thủy, khỏe, tùy, hoàn, quý. */
function tonePosition(letters: Letter[]): number {
  let start = letters.findIndex(isVowel);
  if (start < 0) return -1;
  let end = start;
  while (end + 1 < letters.length && isVowel(letters[end + 1]!)) end++;
  const lower = (i: number) => letters[i]!.base[0]!.toLowerCase();
  // "qu" and "gi" + vowel: the u / i belongs to the consonant.
  if (start > 0 && end > start) {
    const prev = lower(start - 1);
    if ((prev === 'q' && lower(start) === 'u') || (prev === 'g' && lower(start) === 'i')) start++;
  }
  const hasFinal = end + 1 < letters.length;
  for (let i = end; i >= start; i--) {
    if ([...letters[i]!.base].some((m) => QUALITY_MARKS.has(m))) return i;
  }
  const size = end - start + 1;
  if (size === 1) return start;
  if (hasFinal) return end;
  if (size === 2) return start;
  return start + 1;
}

function placeTone(syllable: string): string {
  if (!/[\u0300\u0301\u0303\u0309\u0323]/.test(syllable.normalize('NFD'))) return syllable;
  const letters = splitLetters(syllable);
  const tones = letters.filter((l) => l.tone);
  if (tones.length !== 1) return syllable; // not a Vietnamese syllable: leave it as it is
  const tone = tones[0]!.tone;
  const at = tonePosition(letters);
  if (at < 0) return syllable;
  return letters
    .map((l, i) => l.base + (i === at ? tone : ''))
    .join('')
    .normalize('NFC');
}

/**
 * Syllables repeat endlessly (a few thousand distinct ones): their tone placement and folded form are computed
 * once. Bounded, and only for short strings; a pure function memoized, so results are unchanged.
 */
function memoized(fn: (s: string) => string, maxLength = 24, maxEntries = 50_000): (s: string) => string {
  const cache = new Map<string, string>();
  return (s) => {
    if (s.length > maxLength) return fn(s);
    let value = cache.get(s);
    if (value === undefined) {
      if (cache.size >= maxEntries) cache.clear();
      value = fn(s);
      cache.set(s, value);
    }
    return value;
  };
}

const placeToneOnce = memoized(placeTone);

/** NFC, one kind of spaces and quotes, and one tone placement per syllable. Keeps case. */
export function normalize(text: string): string {
  return text
    .normalize('NFC')
    .replace(/[\u00A0\u2000-\u200B\u202F\u205F\u3000]/g, ' ')
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201C\u201D]/g, '"')
    .replace(/\p{L}+/gu, placeToneOnce);
}

const foldOnce = memoized((text) =>
  text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .toLowerCase(),
);

/** Without any marks, đ→d, lower case: what people type without a Vietnamese keyboard. */
export function fold(text: string): string {
  return foldOnce(text);
}

export function hasDiacritics(text: string): boolean {
  return fold(text) !== text.toLowerCase();
}

/** Words whose capitals carry the meaning: "EM" the product is not "em" the pronoun. */
const CASE_SENSITIVE: [RegExp, string][] = [[/(?<![\p{L}\p{N}])EM(?![\p{L}])/gu, 'emvisinh']];

/** Syllable tokens: lower case, normalized, split on anything that is not a letter or digit. */
export function tokenize(text: string): string[] {
  let t = normalize(text);
  for (const [re, token] of CASE_SENSITIVE) t = t.replace(re, ` ${token} `);
  // m² and m2, CH₄ and CH4 are typed both ways
  t = t.replace(/[⁰¹²³⁴-⁹₀-₉]/g, (d) => String('⁰¹²³⁴⁵⁶⁷⁸⁹'.indexOf(d) >= 0 ? '⁰¹²³⁴⁵⁶⁷⁸⁹'.indexOf(d) : '₀₁₂₃₄₅₆₇₈₉'.indexOf(d)));
  return t.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/**
 * Abbreviations and chat spellings people really type, by folded token sequence.
 * Longer sequences first; the expansion replaces the tokens at index and query time alike.
 */
const ABBREVIATIONS: [string, string][] = [
  ['kh cn', 'khoa học và công nghệ'],
  ['khcn', 'khoa học và công nghệ'],
  ['gd dt', 'giáo dục và đào tạo'],
  ['gddt', 'giáo dục và đào tạo'],
  ['nn mt', 'nông nghiệp và môi trường'],
  ['nn ptnt', 'nông nghiệp và phát triển nông thôn'],
  ['tn mt', 'tài nguyên và môi trường'],
  ['snnmt', 'sở nông nghiệp và môi trường'],
  ['snn mt', 'sở nông nghiệp và môi trường'],
  ['nnmt', 'nông nghiệp và môi trường'],
  ['tnmt', 'tài nguyên và môi trường'],
  ['cnsh', 'công nghệ sinh học'],
  ['bvmt', 'bảo vệ môi trường'],
  ['bvtv', 'bảo vệ thực vật'],
  ['ubnd', 'ủy ban nhân dân'],
  ['hdnd', 'hội đồng nhân dân'],
  ['cpsh', 'chế phẩm sinh học'],
  ['vsv', 'vi sinh vật'],
  ['ksh', 'khí sinh học'],
  ['thpt', 'trung học phổ thông'],
  ['qd', 'quyết định'],
  ['ttg', 'thủ tướng'],
  ['nd cp', 'nghị định chính phủ'],
  ['kh', 'kế hoạch'],
  ['nn', 'nông nghiệp'],
  ['mt', 'môi trường'],
  ['hs', 'học sinh'],
  ['gv', 'giáo viên'],
  ['tp', 'thành phố'],
  ['ko', 'không'],
  ['k', 'không'],
  ['hok', 'không'],
  ['khum', 'không'],
  ['j', 'gì'],
  ['dc', 'được'],
  ['bn', 'bao nhiêu'],
  ['ntn', 'như thế nào'],
  ['vs', 'với'],
  ['trc', 'trước'],
  ['mn', 'mọi người'],
  ['sh', 'sinh học'],
  ['sgk', 'sách giáo khoa'],
  ['sđt', 'số điện thoại'],
  ['sdt', 'số điện thoại'],
  ['cf', 'cà phê'],
  ['dn', 'doanh nghiệp'],
  ['sx', 'sản xuất'],
  ['nc', 'nước'],
  ['ng', 'người'],
  ['ptr', 'phát triển'],
  ['lm', 'làm'],
  ['bik', 'biết'],
  ['td', 'tác dụng'],
  ['hđ', 'hoạt động'],
  ['hd', 'hoạt động'],
  ['cty', 'công ty'],
  ['sl', 'sơn la'],
  ['xài', 'dùng'],
  ['hông', 'không'],
  ['hem', 'không'],
  ['vô', 'vào'],
  // spellings of units and loanwords (the domain's synonyms live in corpus/lexicon.yaml, for questions only)
  ['hecta', 'ha'],
  ['héc ta', 'ha'],
  ['metan', 'mê tan'],
  ['mét vuông', 'm2'],
  ['mét khối', 'm3'],
  ['methane', 'mê tan'],
  ['cx', 'cũng'],
];

const ABBREVIATION_TABLE = ABBREVIATIONS.map(([from, to]) => {
  const words = tokenize(from);
  return {
    from: words,
    folded: words.map(fold),
    // a key without marks ("cnsh", "gd dt") matches however it is typed; a marked one exactly, or — when it is
    // a phrase ("bể phốt") — typed without marks: "xài", "hông" unmarked are other words ("hong" = hỏng)
    unmarked: words.every((w) => w === fold(w)),
    phrase: words.length > 1,
    to: tokenize(to),
  };
});

/** "lý/lí", "kỹ/kĩ", "tỷ/tỉ": after a consonant, a lone final y is the same vowel as i. */
function unifyYI(token: string): string {
  return /^[bcdđghklmnprstvx]+[yýỳỷỹỵ]$/u.test(token) && !/^qu/.test(token)
    ? token.slice(0, -1) + ({ y: 'i', ý: 'í', ỳ: 'ì', ỷ: 'ỉ', ỹ: 'ĩ', ỵ: 'ị' } as Record<string, string>)[token.slice(-1)]!
    : token;
}

/** Replaces abbreviations in a token list (tokens from `tokenize`). */
export function expand(tokens: string[]): string[] {
  const out: string[] = [];
  const folded = tokens.map(fold);
  for (let i = 0; i < tokens.length; ) {
    const hit = ABBREVIATION_TABLE.find(
      (a) =>
        a.from.length <= tokens.length - i &&
        a.from.every((f, j) =>
          a.unmarked
            ? folded[i + j] === f
            : tokens[i + j] === f || (a.phrase && tokens[i + j] === folded[i + j] && folded[i + j] === a.folded[j]),
        ),
    );
    if (hit) {
      out.push(...hit.to);
      i += hit.from.length;
    } else {
      out.push(tokens[i]!);
      i++;
    }
  }
  return out;
}

/** Question and chat words that carry no topic. */
const STOPWORDS_ACCENTED = new Set(
  (
    'là gì của và có không các những được cho trong này đó kia thì mà một hay hoặc khi từ đến vào ra về ' +
    'sẽ đã đang với để nào như thế sao đâu ai bao nhiêu mấy tôi mình em anh chị bạn cô thầy ơi ạ à ' +
    'ừ nhé nha nhỉ vậy hả hở đi giùm giúp hộ xin hỏi biết muốn cái chiếc ở rồi nữa thôi lắm rất quá ' +
    'cũng vẫn nên phải cần hãy ad admin chào cảm ơn tớ tui t mk tại vì nếu gồm bị bởi theo trên dưới ' +
    'làm kiểu tầm tụi xong luôn lỡ chưa hen đúng ta lại do nay hôm mới cỡ chỗ nó mọi tùy từng'
  ).split(/\s+/),
);
/**
 * Typed without marks, a stopword may be a topic word: "vi" (vì / vi sinh), "co" (có / cơ chế),
 * "dung" (đúng / dùng). Those folded forms stay topic words.
 */
const AMBIGUOUS_FOLDED = new Set(
  'co dung ban thay chi toi anh ma tu dang voi de nhu the dau may nha ho hoi cai o thoi lam qua cung van nen can to tai vi gom tam lo chua do mot cho ra ve sao em da'.split(' '),
);
const STOPWORDS_FOLDED = new Set([...STOPWORDS_ACCENTED].map(fold).filter((w) => !AMBIGUOUS_FOLDED.has(w)));

/** One Vietnamese syllable, folded: an onset, a run of vowels, a final consonant (the language's phonotactics). */
const VIETNAMESE_SYLLABLE = /^(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnpqrstvx])?[aeiouy]+(ch|ng|nh|[cmnpt])?$/;

/** "trichoderma", "balasa", "bacillus" are no Vietnamese syllables: names of organisms and products. */
export function isVietnameseSyllable(folded: string): boolean {
  return VIETNAMESE_SYLLABLE.test(folded);
}

/** Is this token a stopword, in a text typed with or without Vietnamese marks? */
export function isStopword(token: string, typedWithMarks: boolean): boolean {
  return typedWithMarks ? STOPWORDS_ACCENTED.has(token) : STOPWORDS_FOLDED.has(fold(token));
}

/** Index terms of a text: syllables plus syllable bigrams (joined by '_'); no pair spans punctuation. */
export function terms(tokens: string[], breaks: boolean[] = []): string[] {
  const out = [...tokens];
  for (let i = 0; i + 1 < tokens.length; i++) if (!breaks[i + 1]) out.push(`${tokens[i]}_${tokens[i + 1]}`);
  return out;
}

export interface Analyzed {
  /** normalized, expanded syllables */
  tokens: string[];
  /** the same, folded */
  folded: string[];
  /** which tokens carry no topic */
  stop: boolean[];
  /** which tokens follow punctuation: "ví dụ: lịch" is not the pair "dụ lịch" */
  breaks: boolean[];
}

/** Punctuation that ends a phrase; "&" and "/" join ("NN&MT", "1639/QĐ"). */
const PHRASE_END = /[.,;:!?()[\]{}"“”…\n\r–—|•]+/u;

/** Analyses of corpus sentences (≤ 404 characters) and short questions; a long question is analyzed afresh. */
const ANALYZE_CACHE = { maxEntries: 20_000, maxBytes: 16 * 1024 * 1024, maxKeyLength: 400 };
const analyzedTexts = boundedCache<Readonly<Analyzed>>({ ...ANALYZE_CACHE, sizeOf: analyzedSize });

/** What one analysis holds: four parallel arrays, strings in two of them. */
function analyzedSize(a: Analyzed): number {
  let n = 160 + 32 * a.tokens.length;
  for (let i = 0; i < a.tokens.length; i++) n += 48 + 2 * (a.tokens[i]!.length + a.folded[i]!.length);
  return n;
}

/** How full the analysis cache is (tests and the memory bench read it). */
export function analyzeCacheStats(): { size: number; bytes: number; maxBytes: number } {
  return { size: analyzedTexts.size, bytes: analyzedTexts.bytes, maxBytes: ANALYZE_CACHE.maxBytes };
}

/**
 * The one entry point for any text, document or question. Corpus sentences and headings are analyzed again
 * on every question that retrieves them, so results are remembered (bounded by count and bytes) and frozen:
 * never change them.
 */
export function analyze(text: string): Analyzed {
  let result = analyzedTexts.get(text);
  if (!result) {
    const fresh = analyzeText(text);
    for (const list of Object.values(fresh)) Object.freeze(list);
    result = Object.freeze(fresh);
    analyzedTexts.set(text, result);
  }
  return result;
}

function analyzeText(text: string): Analyzed {
  const tokens: string[] = [];
  const breaks: boolean[] = [];
  for (const phrase of normalize(text).split(PHRASE_END)) {
    const part = expand(tokenize(phrase)).map(unifyYI);
    part.forEach((tok, i) => {
      tokens.push(tok);
      breaks.push(i === 0);
    });
  }
  const marks = hasDiacritics(text);
  // a token with marks (typed, or from an expansion) is judged exactly; unmarked ones by how the text was typed
  return { tokens, folded: tokens.map(fold), stop: tokens.map((t) => isStopword(t, marks || hasDiacritics(t))), breaks };
}

/** Folded topic words of a text (stopwords removed), in order. */
export function topicWords(text: string): string[] {
  const { folded, stop } = analyze(text);
  return folded.filter((_, i) => !stop[i]);
}

/** Quotes a term for FTS5 MATCH: user text never reaches MATCH unquoted. */
export function ftsQuote(term: string): string {
  return `"${term.replace(/"/g, '""')}"`;
}
