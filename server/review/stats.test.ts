import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../testing.ts';
import { csvCell, CSV_HEADER, statistics, vnDay, vnDayStart, yearPeriod } from './stats.ts';
import { ask, createStaff, staffClient, type StaffClient } from './testing.ts';

/** Thống kê, CSV and the yearly report, from questions asked through the real API. */
let server: TestServer;
let staff: StaffClient;
const year = Number(vnDay(Date.now()).slice(0, 4));

const CITIZEN = ['Đệm lót sinh học là gì?', 'Làm sao vận hành hầm biogas an toàn?', 'Rác hữu cơ trong nhà xử lý thế nào?', 'Trồng nấm trên bã cà phê có cần giấy phép không?'];
const STUDENT = ['Khí sinh học được tạo ra như thế nào?', 'Vi sinh vật xử lí nước thải ra sao?'];
const FORMULA = '=HYPERLINK("http://evil.example","bấm vào đây")';

let answered = 0;

beforeAll(async () => {
  server = await startTestServer();
  await createStaff(server.assistant.state, 'canbo');
  for (const q of CITIZEN) {
    const r = await ask(server.url, q, { site: 'cong-tinh' });
    answered += r.answered ? 1 : 0;
    await fetch(`${server.url}/api/feedback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ messageId: r.messageId, helpful: r.answered }),
    });
  }
  for (const q of STUDENT) answered += (await ask(server.url, q, { audience: 'student', site: 'truong-thpt-chuyen' })).answered ? 1 : 0;
  answered += (await ask(server.url, FORMULA)).answered ? 1 : 0;
  staff = staffClient(server.url);
  await staff.login('canbo');
});
afterAll(() => server.close());

describe('statistics', () => {
  it('count questions, answered rate, feedback, audiences, sites and cited documents', () => {
    const s = statistics(server.assistant.db, yearPeriod(year), 'month', (id) => id);
    expect(s.total).toBe(CITIZEN.length + STUDENT.length + 1);
    expect(s.answered).toBe(answered);
    expect(s.helpful + s.unhelpful).toBe(CITIZEN.length);
    expect(s.audiences.map((a) => [a.audience, a.total])).toEqual([
      ['citizen', CITIZEN.length + 1],
      ['student', STUDENT.length],
    ]);
    expect(s.sites.find((x) => x.site === 'truong-thpt-chuyen')!.total).toBe(STUDENT.length);
    expect(s.buckets).toHaveLength(12);
    expect(s.buckets.reduce((n, b) => n + b.total, 0)).toBe(s.total);
    expect(s.topics.map((t) => t.docId)).toContain('dem-lot-sinh-hoc');
  });

  it('has a week for every week of the period, empty ones included', () => {
    const from = vnDayStart('2026-03-01')!;
    const s = statistics(server.assistant.db, { from, to: vnDayStart('2026-04-01')! }, 'week', (id) => id);
    expect(s.buckets.map((b) => b.key)).toEqual(['2026-02-23', '2026-03-02', '2026-03-09', '2026-03-16', '2026-03-23', '2026-03-30']);
  });

  it('are drawn as inline SVG charts with tables on the statistics page', async () => {
    const res = await staff.get(`/admin/thong-ke?tu=${year}-01-01&den=${vnDay(Date.now())}&theo=week`);
    expect(res.status).toBe(200);
    const page = await res.text();
    expect((page.match(/<svg class="chart"/g) ?? []).length).toBeGreaterThanOrEqual(3);
    expect(page).toContain('Người dân');
    expect(page).toContain('Học sinh');
    expect(page).toContain('truong-thpt-chuyen');
    expect(page).toContain('Đệm lót sinh học');
    expect(page).not.toMatch(/<script(?! type="module" src="\/admin\/static\/admin\.js")/);
  });
});

describe('the CSV export', () => {
  it('opens in Excel with Vietnamese intact: UTF-8 with a byte-order mark', async () => {
    const res = await staff.get(`/admin/thong-ke/xuat.csv?tu=${year}-01-01&den=${vnDay(Date.now())}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="cau-hoi-/);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.slice(3));
    const lines = text.trimEnd().split('\r\n');
    expect(lines[0]).toBe(CSV_HEADER.map((h) => `"${h}"`).join(','));
    expect(lines).toHaveLength(1 + CITIZEN.length + STUDENT.length + 1);
    expect(text).toContain('"Trồng nấm trên bã cà phê có cần giấy phép không?"');
    expect(text).toContain('"Học sinh"');
  });

  it('guards formula starts after a space, an invisible character, or in fullwidth (I1)', () => {
    for (const cell of [' =1+1', '\u00a0=1+1', '\u200b=1+1', '\ufeff@SUM(A1)', '＝1+1', '＋1', '－1', '＠x', '\t=1', '\n=1'])
      expect(csvCell(cell), JSON.stringify(cell)).toBe(`"'${cell}"`);
    expect(csvCell('Biogas là gì?')).toBe('"Biogas là gì?"');
  });

  it('does not let a question run as a spreadsheet formula', async () => {
    const text = await (await staff.get(`/admin/thong-ke/xuat.csv?tu=${year}-01-01`)).text();
    expect(text).toContain(`"'=HYPERLINK(""http://evil.example"",""bấm vào đây"")"`);
    expect(text).not.toContain('"=HYPERLINK');
  });

  it('is recorded in the audit log', () => {
    const row = server.assistant.db.prepare("SELECT username FROM audit_log WHERE action = 'export:csv'").get() as { username: string };
    expect(row.username).toBe('canbo');
  });
});

describe('the yearly report', () => {
  it('is a printable page with the year’s figures for the 15/12 report', async () => {
    const res = await staff.get(`/admin/bao-cao?nam=${year}`);
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain(`năm ${year}`);
    expect(page).toContain(`trước ngày 15/12/${year}`);
    expect(page).toMatch(new RegExp(`Tổng số câu hỏi nhận được</th><td class="num">${CITIZEN.length + STUDENT.length + 1}<`));
    expect(page).toContain('data-print');
    expect(page).toContain('<svg class="chart"');
  });
});
