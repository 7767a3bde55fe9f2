import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readEvents, retryAfterSeconds } from './src/answer-stream.ts';
import { glossaryMatcher, type GlossaryTerm } from './src/glossary.ts';
import { parseBlocks, parseInline, plainText } from './src/markdown.ts';
import { numberWords, speakable } from './src/speech.ts';
import { WIDGET_FILE } from './build.ts';
import { widgetSize } from './size.ts';

const ORIGIN = 'https://hoidap.example.vn';

describe('the Markdown subset of answers', () => {
  it('groups "- " lines into one list and keeps other lines as paragraphs', () => {
    expect(parseBlocks('Đệm lót gồm:\n- mùn cưa\n- trấu\n\nCào đảo 7–10 ngày một lần. [1]')).toEqual([
      { list: false, text: 'Đệm lót gồm:' },
      { list: true, items: ['mùn cưa', 'trấu'] },
      { list: false, text: 'Cào đảo 7–10 ngày một lần. [1]' },
    ]);
  });

  it('keeps HTML as text: markup is never a token', () => {
    const pieces = parseInline('<img src=x onerror=alert(1)> và <script>x</script>', ORIGIN);
    expect(pieces).toEqual([{ kind: 'text', text: '<img src=x onerror=alert(1)> và <script>x</script>' }]);
  });

  it('turns **bold**, citation markers and links to our own origin into tokens', () => {
    expect(parseInline('**Chú ý:** xem [Kế hoạch](/nguon/ke-hoach-cnsh-bvmt-2030#ii) [2]', ORIGIN)).toEqual([
      { kind: 'bold', text: 'Chú ý:' },
      { kind: 'text', text: ' xem ' },
      { kind: 'link', text: 'Kế hoạch', href: `${ORIGIN}/nguon/ke-hoach-cnsh-bvmt-2030#ii` },
      { kind: 'text', text: ' ' },
      { kind: 'ref', n: 2 },
    ]);
  });

  it('drops links to other origins and non-http schemes, keeping their words', () => {
    for (const href of ['https://evil.example/x', 'javascript:alert%281%29', 'data:text/html,hi', '//evil.example/x'])
      expect(parseInline(`[bấm đây](${href})`, ORIGIN)).toEqual([{ kind: 'text', text: 'bấm đây' }]);
  });

  it('reads an answer aloud without markers or asterisks', () => {
    expect(plainText('**Đệm lót** là lớp độn chuồng. [1]\n- mùn cưa [2]')).toBe('Đệm lót là lớp độn chuồng. mùn cưa');
  });
});

describe('glossary terms in answers', () => {
  const terms: GlossaryTerm[] = [
    { term: 'Biogas (khí sinh học)', aliases: ['biogas', 'khí sinh học'], definition: 'Hỗn hợp khí…' },
    { term: 'Kỵ khí', aliases: ['kị khí', 'phân giải kị khí'], definition: 'Không có oxy…' },
    { term: 'EM (vi sinh vật hữu hiệu)', aliases: ['EM'], definition: 'Chế phẩm…' },
  ];
  const match = glossaryMatcher(terms);

  it('marks each term once per answer, whole words only, longest name first', () => {
    const seen = new Set<GlossaryTerm>();
    const pieces = match('Khí sinh học sinh ra khi phân giải kị khí; khí sinh học cháy được. Hệ thống THEM không tính.', seen);
    const marked = pieces.filter((p) => typeof p !== 'string');
    expect(marked.map((p) => (typeof p === 'string' ? p : p.text))).toEqual(['Khí sinh học', 'phân giải kị khí']);
    expect(pieces.map((p) => (typeof p === 'string' ? p : p.text)).join('')).toBe(
      'Khí sinh học sinh ra khi phân giải kị khí; khí sinh học cháy được. Hệ thống THEM không tính.',
    );
  });

  it('ignores names shorter than three letters (EM would underline every "em")', () => {
    expect(match('Em hỏi về EM.', new Set())).toEqual(['Em hỏi về EM.']);
  });
});

describe('reading the answer stream', () => {
  const streamOf = (...parts: string[]) =>
    new ReadableStream<Uint8Array>({
      start(controller) {
        for (const p of parts) controller.enqueue(new TextEncoder().encode(p));
        controller.close();
      },
    });

  it('parses events split across network chunks, including multi-line data and CRLF', async () => {
    const events = [];
    for await (const e of readEvents(streamOf('event: delta\ndata: {"text":"Đệm ', 'lót"}\nid: 1\n\n', 'event: done\r\ndata: {"a":\r\ndata: 1}\r\n\r\n')))
      events.push(e);
    expect(events).toEqual([
      { event: 'delta', data: '{"text":"Đệm lót"}' },
      { event: 'done', data: '{"a":\n1}' },
    ]);
  });

  it('reads Retry-After as seconds or as a date, and waits 30 s when it is missing', () => {
    const now = Date.parse('2026-11-29T08:00:00Z');
    expect(retryAfterSeconds('12', now)).toBe(12);
    expect(retryAfterSeconds('Sun, 29 Nov 2026 08:01:00 GMT', now)).toBe(60);
    expect(retryAfterSeconds(null, now)).toBe(30);
  });
});

describe('the bundle', () => {
  it("bundles Lit's production build, whatever NODE_ENV the build ran under", () => {
    expect(readFileSync(WIDGET_FILE, 'utf8').includes('Lit is in dev mode'), "Lit's dev build is in the bundle").toBe(false);
  });

  it('stays within 20 KB gzipped, Lit included', async () => {
    const size = await widgetSize();
    expect(size.gzipBytes).toBeGreaterThan(5_000);
    expect(size.gzipBytes).toBeLessThanOrEqual(20 * 1024);
  });
});

describe('reading an answer aloud', () => {
  it('says numbers the Vietnamese way', () => {
    expect([5, 10, 15, 21, 24, 105, 1005, 2_500_000].map(numberWords)).toEqual([
      'năm',
      'mười',
      'mười lăm',
      'hai mươi mốt',
      'hai mươi tư',
      'một trăm linh năm',
      'một nghìn không trăm linh năm',
      'hai triệu năm trăm nghìn',
    ]);
  });

  it('turns abbreviations, units, ranges and decimals into words', () => {
    expect(speakable('Hầm CNSH 10 m³ cho 7–10 con lợn, ủ 2,5 kg men ở 35°C, độ ẩm 60%; mỗi m3 khí; UBND xã hỗ trợ 1.500.000 đồng.')).toBe(
      'Hầm công nghệ sinh học mười mét khối cho bảy đến mười con lợn, ủ hai phẩy năm ki-lô-gam men ở ba mươi lăm độ C, độ ẩm sáu mươi phần trăm; mỗi mét khối khí; Ủy ban nhân dân xã hỗ trợ một triệu năm trăm nghìn đồng.',
    );
  });
});

describe('one tone-mark style (the modern one: hòa, thủy, khỏe)', () => {
  it('is used in every widget string, the console pages and the READMEs', () => {
    const root = new URL('..', import.meta.url);
    const files = [
      ...readdirSync(new URL('widget/src/', root)).map((f) => `widget/src/${f}`),
      'widget/README.md',
      'README.md',
      'server/review/pages.ts',
      'server/review/README.md',
      'server/http/privacy.ts',
      ...readdirSync(new URL('server/http/pages/', root)).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).map((f) => `server/http/pages/${f}`),
    ];
    // oà, oé, uỷ … ending a syllable is the old placement; "qu" + ý is not (quý); "hoà→hòa" explains the rule
    const OLD = /(?<![\p{L}])\p{L}*(?<!q)(?:o[àáảãạ]|o[èéẻẽẹ]|u[ỳýỷỹỵ])(?![\p{L}→])/gu;
    const found = files.flatMap((f) => [...readFileSync(new URL(f, root), 'utf8').matchAll(OLD)].map((m) => `${f}: ${m[0]}`));
    expect(found).toEqual([]);
  });
});
