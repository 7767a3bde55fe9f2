import { describe, expect, it } from 'vitest';
import type { Chunk } from '../corpus/index.ts';
import { createChecks, createRenumbering } from './checks.ts';
import { systemPrompt, type Source } from './prompt.ts';
import { createStreamGate } from './stream-gate.ts';

const chunk = (text: string): Chunk => ({
  id: 'ham-biogas#an-toan',
  docId: 'ham-biogas',
  kind: 'guide',
  title: 'Hầm biogas',
  section: 'An toàn',
  anchor: 'an-toan',
  text,
  audience: ['citizen'],
});

const sources: Source[] = [
  { n: 1, chunk: chunk('Tuyệt đối không xuống hầm biogas. Xem thêm tại https://sonla.gov.vn/bien-phap-an-toan.') },
  { n: 2, chunk: chunk('Hầm biogas phải được xây kín.') },
];
const checks = createChecks({ sources, allowedOrigins: ['https://cnsh.sonla.gov.vn'], boundary: 'a1b2c3d4' });

describe('checks on a model’s answer', () => {
  it.each([
    ['Không xuống hầm biogas [1]. Hầm phải xây kín [2].', null],
    ['Không xuống hầm [1, 2].', null],
    ['Xem hướng dẫn tại https://cnsh.sonla.gov.vn/nguon/ham-biogas [1].', null],
    ['Xem https://sonla.gov.vn/bien-phap-an-toan [1].', null],
    ['Không xuống hầm [3].', 'invented-citation'],
    ['Không xuống hầm [0].', 'invented-citation'],
    ['Không xuống hầm biogas.', 'no-citation'],
    ['Tài liệu hiện có chưa đề cập nội dung này.', 'model-declined'],
    ['Xem [đây](https://vi-du.example/x) [1].', 'outside-link'],
    ['![ảnh](https://cnsh.sonla.gov.vn.evil.example/a.png) [1]', 'outside-link'],
    ['Xem [trang](/nguon/ham-biogas) [1].', 'outside-link'],
    ['Bấm [vào](javascript:alert(1)) [1].', 'outside-link'],
    ['Vào www.vi-du.example để xem [1].', 'outside-link'],
    ['<b>Không</b> xuống hầm [1].', 'html'],
    ['Không xuống hầm [1]. <!-- ghi chú -->', 'html'],
    ['Độ pH < 7 thì hầm kém sinh khí [1].', null],
    ['Nguồn <<<HẾT NGUỒN [1] a1b2c3d4>>> [1].', 'prompt-leak'],
    [`${systemPrompt('citizen').split('\n')[2]} [1]`, 'prompt-leak'],
    [`${systemPrompt('student').split('\n').at(-2)} [1]`, 'prompt-leak'],
  ])('%s → %s', (answer, problem) => {
    expect(checks.final(answer)).toBe(problem);
  });

  it('the quick check, run while streaming, does not yet require a citation', () => {
    expect(checks.quick('Không xuống hầm biogas.')).toBeNull();
    expect(checks.quick('Không xuống hầm [9].')).toBe('invented-citation');
  });
});

describe('citation renumbering', () => {
  it('numbers citations in order of first appearance, piece by piece as on the whole', () => {
    const whole = createRenumbering();
    expect(whole.apply('A [3]. B [1][3]. C [2, 3].')).toBe('A [1]. B [2][1]. C [3, 1].');
    expect(whole.order).toEqual([3, 1, 2]);
    const pieces = createRenumbering();
    expect(['A [3]. ', 'B [1][3]. ', 'C [2, 3].'].map(pieces.apply).join('')).toBe('A [1]. B [2][1]. C [3, 1].');
  });
});

describe('the stream gate', () => {
  const run = async (deltas: string[], holdWords?: number) => {
    const shown: string[] = [];
    const gate = createStreamGate(checks.quick, async (p) => void shown.push(p), { holdWords });
    let stopped = false;
    for (const d of deltas) if (!(await gate.push(d))) (stopped = true);
    if (!stopped) await gate.flush();
    return { shown: shown.join(''), gate };
  };

  it('shows nothing before the first sentence is complete and checked', async () => {
    const shown: string[] = [];
    const gate = createStreamGate(checks.quick, async (p) => void shown.push(p), { holdWords: 0 });
    for (const d of ['Không ', 'xuống ', 'hầm ', 'biogas ']) await gate.push(d);
    expect(shown).toEqual([]);
    await gate.push('nhé. ');
    expect(shown.join('')).toBe('Không xuống hầm biogas nhé. ');
  });

  it('holds a citation until its sentence ends, so an invented one is never shown', async () => {
    const { shown, gate } = await run(['Không xuống hầm [1]. ', 'Hầm biogas cần ', 'xây kín ', '[', '9', ']', '. ', 'Thêm'], 0);
    expect(shown).toBe('Không xuống hầm [1]. Hầm biogas cần xây kín ');
    expect(gate.problem).toBe('invented-citation');
  });

  it('stops before a link to an outside host shows', async () => {
    const { shown, gate } = await run(['Không xuống hầm [1]. ', 'Xem ', 'https://', 'vi-du.example/a ', 'nhé. '], 0);
    expect(shown).toBe('Không xuống hầm [1]. Xem ');
    expect(gate.problem).toBe('outside-link');
  });

  it('stays a few words behind the model, so a run of words from the system prompt never shows', async () => {
    const rule = systemPrompt('citizen').split('\n')[2]!.replace(/^\d+\. /, '');
    const { shown, gate } = await run(['Không xuống hầm [1]. ', ...rule.split(/(?<= )/)]);
    expect(gate.problem).toBe('prompt-leak');
    expect(shown).toBe('Không xuống hầm [1].');
  });

  it('shows the whole answer once it passed', async () => {
    const deltas = ['Không xuống hầm [1]. ', 'Hầm biogas ', 'phải được ', 'xây thật ', 'kín để ', 'sinh khí ', 'tốt [2].'];
    const { shown, gate } = await run(deltas);
    expect(gate.problem).toBeNull();
    expect(shown).toBe(deltas.join(''));
  });
});
