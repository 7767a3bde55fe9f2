import { describe, expect, it } from 'vitest';
import { analyze, fold, ftsQuote, normalize, tokenize, topicWords } from './index.ts';

describe('normalize: one tone placement per syllable, NFC', () => {
  it.each([
    ['hoà', 'hòa'],
    ['thuỷ sản', 'thủy sản'],
    ['khoẻ', 'khỏe'],
    ['tuỳ', 'tùy'],
    ['hoá học', 'hóa học'],
    ['xoá', 'xóa'],
    ['uỷ ban', 'ủy ban'],
    ['Hoà Bình', 'Hòa Bình'],
    ['hòan thành', 'hoàn thành'], // with a final consonant the mark moves to the second vowel
    ['qúy', 'quý'], // "qu": the u belongs to the consonant
    ['ngòai', 'ngoài'],
    ['thuyết', 'thuyết'],
    ['người', 'người'],
    ['giữa', 'giữa'],
    ['Trichoderma', 'Trichoderma'],
  ])('%s → %s', (input, expected) => {
    expect(normalize(input)).toBe(expected);
  });

  it('turns decomposed (NFD) input into NFC', () => {
    const nfd = 'đệm lót sinh học'.normalize('NFD');
    expect(normalize(nfd)).toBe('đệm lót sinh học'.normalize('NFC'));
  });
});

describe('fold: without marks, đ→d', () => {
  it.each([
    ['Đệm lót sinh học', 'dem lot sinh hoc'],
    ['Sở Nông nghiệp và Môi trường', 'so nong nghiep va moi truong'],
    ['ĐƯỢC', 'duoc'],
    ['thuỷ sản', 'thuy san'],
  ])('%s → %s', (input, expected) => {
    expect(fold(input)).toBe(expected);
  });
});

describe('analyze: the same terms however people type it', () => {
  const same = (a: string, b: string) => expect(topicWords(a)).toEqual(topicWords(b));
  it.each([
    ['Đệm lót sinh học là gì?', 'dem lot sinh hoc la gi'],
    ['Đệm lót sinh học là gì?', 'đệm lót sinh học là j'],
    ['công nghệ sinh học bảo vệ môi trường', 'CNSH BVMT'],
    ['Sở Nông nghiệp và Môi trường có nhiệm vụ gì trong kế hoạch này', 'Sở NN&MT có nhiệm vụ gì trong KH này?'],
    ['ủy ban nhân dân tỉnh', 'UBND tỉnh'],
    ['khoa học và công nghệ', 'KH&CN'],
    ['giáo dục và đào tạo', 'GD&ĐT'],
    ['nuôi thủy sản', 'nuôi thuỷ sản'],
    ['chế phẩm không dùng được', 'chế phẩm ko dùng dc'],
    ['bao nhiêu', 'bn'],
    ['kị khí', 'kỵ khí'],
    ['xử lí', 'xử lý'],
  ])('%s ≡ %s', same);

  it('keeps "EM" the product apart from "em" the pronoun', () => {
    expect(topicWords('EM là gì')).toContain('emvisinh');
    expect(topicWords('em hỏi về hầm biogas')).not.toContain('emvisinh');
  });

  it('does not drop topic words that fold like stopwords when typed without marks', () => {
    // "vi" is "vì" (stopword) or "vi" in "vi sinh"; "co" is "có" or "cơ" in "cơ chế"
    expect(topicWords('vi sinh vat co che chinh sach')).toEqual(['vi', 'sinh', 'vat', 'co', 'che', 'chinh', 'sach']);
    // with marks the stopword is known exactly
    expect(topicWords('vì sao có cơ chế')).toEqual(['co', 'che']);
  });

  it('splits numbers and document numbers into syllables', () => {
    expect(tokenize('2021-2030 1639/QĐ-TTg')).toEqual(['2021', '2030', '1639', 'qđ', 'ttg']);
    expect(analyze('QĐ 1639').tokens).toEqual(['quyết', 'định', '1639']);
  });
});

describe('ftsQuote: user text never reaches FTS5 MATCH unquoted', () => {
  it.each([['NOT'], ['a"b'], ['NEAR('], ['*'], ['2021-2030']])('%s', (term) => {
    expect(ftsQuote(term)).toMatch(/^".*"$/);
    expect(ftsQuote(term).slice(1, -1).replace(/""/g, '')).not.toContain('"');
  });
});
