import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatPlain, plainText, splitMessage } from './index.ts';

const citation = (n: number) => ({
  id: `c${n}`,
  docId: `doc-${n}`,
  kind: 'guide' as const,
  title: `Hướng dẫn ${n}`,
  section: `Mục ${n}`,
  url: `/nguon/doc-${n}#muc-${n}`,
  snippet: '…',
});

describe('answers for messengers', () => {
  it('writes the Markdown subset as plain text, sources as numbered absolute links', () => {
    const text = formatPlain(
      { answer: 'Hầm biogas cần **thông gió** [1].\n- Không hút thuốc gần hầm [2]\n- Xem [trang nguồn](/nguon/doc-1)', answered: true, citations: [citation(1), citation(2)], suggestions: ['x'] },
      { baseUrl: 'https://hoidap.example.gov.vn/' },
    );
    expect(text).toBe(
      [
        'Hầm biogas cần thông gió [1].',
        '• Không hút thuốc gần hầm [2]',
        '• Xem trang nguồn (https://hoidap.example.gov.vn/nguon/doc-1)',
        '',
        'Nguồn:',
        '[1] Hướng dẫn 1 – Mục 1: https://hoidap.example.gov.vn/nguon/doc-1#muc-1',
        '[2] Hướng dẫn 2 – Mục 2: https://hoidap.example.gov.vn/nguon/doc-2#muc-2',
      ].join('\n'),
    );
  });

  it('names a source without a link when no public origin is set, and lists the choices of a declined answer', () => {
    const text = formatPlain({ answer: 'Chưa có thông tin.', answered: false, citations: [citation(1)], suggestions: ['Đệm lót sinh học là gì?'] });
    expect(text).toContain('[1] Hướng dẫn 1 – Mục 1\n');
    expect(text).toMatch(/Bạn có thể hỏi:\n• Đệm lót sinh học là gì\?$/);
    expect(plainText('**a** [b](javascript:alert)')).toBe('a b');
  });

  it('splits at list items and sentences, never above the limit, losing nothing', () => {
    const items = Array.from({ length: 40 }, (_, i) => `- Bước ${i + 1}: trộn rơm rạ với chế phẩm vi sinh và tưới đủ ẩm.`);
    const parts = splitMessage(`Cách ủ phân:\n${items.join('\n')}`, 300);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) expect([...p].length).toBeLessThanOrEqual(300);
    // each part starts at a list item, not in the middle of one
    for (const p of parts.slice(1)) expect(p).toMatch(/^- Bước \d+:/);
    const sentences = splitMessage('Câu một rất dài về hầm biogas. '.repeat(100), 2000);
    for (const p of sentences) expect(p).toMatch(/\.$/);
  });

  it('keeps every word of any text, in order, in parts of at most the limit', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', 'ư', ' ', '.', '\n', 'ệ', '😀'), maxLength: 3000 }), fc.integer({ min: 20, max: 400 }), (text, max) => {
        const parts = splitMessage(text, max);
        for (const p of parts) expect([...p].length).toBeLessThanOrEqual(max);
        expect(parts.join('').replace(/\s+/g, '')).toBe(text.replace(/\s+/g, ''));
      }),
    );
  });
});
