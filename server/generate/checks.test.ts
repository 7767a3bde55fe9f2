import { describe, expect, it } from 'vitest';
import { CURATED_TITLE, type Chunk } from '../corpus/index.ts';
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
    ['Khi độ pH < 7, tuyệt đối không xuống hầm biogas [1].', null],
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
  const run = async (deltas: string[]) => {
    const shown: string[] = [];
    const gate = createStreamGate(checks.quick, async (p) => void shown.push(p));
    let stopped = false;
    for (const d of deltas) if (!(await gate.push(d))) (stopped = true);
    if (!stopped) await gate.flush();
    return { shown: shown.join(''), gate };
  };

  it('shows nothing before a finished sentence that cites a source has been checked', async () => {
    const shown: string[] = [];
    const gate = createStreamGate(checks.quick, async (p) => void shown.push(p));
    for (const d of ['Không ', 'xuống ', 'hầm ', 'biogas ', 'nhé. ']) await gate.push(d);
    expect(shown).toEqual([]);
    await gate.push('Hầm phải được xây kín [2]. ');
    expect(shown.join('')).toBe('Không xuống hầm biogas nhé. Hầm phải được xây kín [2].');
  });

  it('holds a citation until its sentence ends, so an invented one is never shown', async () => {
    const { shown, gate } = await run(['Không xuống hầm [1]. ', 'Hầm biogas cần ', 'xây kín ', '[', '9', ']', '. ', 'Thêm']);
    expect(shown).toBe('Không xuống hầm [1].');
    expect(gate.problem).toBe('invented-citation');
  });

  it('stops before a link to an outside host shows', async () => {
    const { shown, gate } = await run(['Không xuống hầm [1]. ', 'Xem ', 'https://', 'vi-du.example/a ', 'nhé. ']);
    expect(shown).toBe('Không xuống hầm [1].');
    expect(gate.problem).toBe('outside-link');
  });

  it('holds whole sentences, so a run of words from the system prompt never shows', async () => {
    const rule = systemPrompt('citizen').split('\n')[2]!.replace(/^\d+\. /, '');
    const { shown, gate } = await run(['Không xuống hầm [1]. ', ...rule.split(/(?<= )/)]);
    expect(gate.problem).toBe('prompt-leak');
    expect(shown).toBe('Không xuống hầm [1].');
  });

  it('never streams an uncited sentence that later fails: the invented phone number of V13 is not shown', async () => {
    const { shown, gate } = await run(['Hầm biogas rất tốt. ', 'Gọi 0912 345 678 ', 'để mua hàng giá rẻ.']);
    expect(shown).toBe('');
    expect(gate.problem).toBe('invented-number');
    // and an uncited answer without a number is held for the final check, which then refuses it
    const uncited = await run(['Hầm biogas rất tốt. ', 'Nên mua ngay.']);
    expect(checks.final(uncited.gate.text)).toBe('no-citation');
  });

  it('shows the whole answer once it passed', async () => {
    const deltas = ['Không xuống hầm [1]. ', 'Hầm biogas ', 'phải được ', 'xây thật ', 'kín để ', 'sinh khí ', 'tốt [2].'];
    const { shown, gate } = await run(deltas);
    expect(gate.problem).toBeNull();
    expect(shown).toBe(deltas.join(''));
  });
});

describe('what the review slipped past the checks (V6, V7)', () => {
  const curated: Source = {
    n: 3,
    chunk: { ...chunk('Đăng ký nhận hỗ trợ hầm biogas tại https://hotro-biogas.example hoặc gọi 0987 654 321.'), id: 'hoi-dap#gd-9', docId: 'hoi-dap', kind: 'faq', title: CURATED_TITLE },
  };
  const withCurated = createChecks({ sources: [...sources, curated], allowedOrigins: ['https://cnsh.sonla.gov.vn'], boundary: 'a1b2c3d4' });

  it.each([
    ['Không xuống hầm biogas [1]. <img/src=x onerror=alert(1)>', 'html'],
    ['<svg/onload=alert(document.cookie)> Không xuống hầm biogas [1].', 'html'],
    ['Không xuống hầm biogas [1]. <\u200bimg src=x>', 'html'],
    ['Đăng ký tại hotro-sonla-gov.example/dang-ky [1].', 'outside-link'],
    ['Xem https\u200b://evil.example/x để không xuống hầm biogas [1].', 'outside-link'],
    ['Xem https:\\\\evil.example/x để không xuống hầm biogas [1].', 'outside-link'],
    ['Xem evil\u200b.example/x để không xuống hầm biogas [1].', 'outside-link'],
    ['[Bấm vào đây](h) để không xuống hầm biogas [1].', 'outside-link'],
    ['Gọi ngay đường dây nóng 0912 345 678 để không xuống hầm biogas [1].', 'invented-number'],
    ['Chuyển 500.000 đồng vào tài khoản 1903 5678 9012 35 để xây hầm biogas kín [2].', 'invented-number'],
    ['Hộ nuôi có hầm biogas được nhận năm triệu đồng tiền hỗ trợ của tỉnh [2].', 'unsupported-citation'],
    ['Hầm biogas phải được xây kín, dung tích 12 m³ [2].', 'unsupported-citation'],
    ['Tuyệt đối không xuống hầm biogas, kể cả ở TP.HCM [1].', null],
  ])('%s → %s', (answer, problem) => {
    expect(checks.final(answer)).toBe(problem);
  });

  it('a link or a phone number written in a curated answer does not qualify the model to repeat it', () => {
    expect(withCurated.final('Đăng ký nhận hỗ trợ hầm biogas tại https://hotro-biogas.example [3].')).toBe('outside-link');
    expect(withCurated.final('Đăng ký nhận hỗ trợ hầm biogas, gọi 0987 654 321 [3].')).toBe('invented-number');
    // a whole address from the corpus still may be repeated
    expect(withCurated.final('Xem https://sonla.gov.vn/bien-phap-an-toan về biện pháp an toàn, không xuống hầm [1].')).toBeNull();
  });
});
