import type { Hono } from 'hono';
import { CURATED_TITLE } from '../../corpus/index.ts';
import { audit } from '../db.ts';
import { listCurated } from '../curated.ts';
import { reportPage, statsPage } from '../pages.ts';
import { questionsCsv, statistics, isoDay, vnDay, vnDayStart, yearPeriod, type Granularity, type Period } from '../stats.ts';
import type { ConsoleDeps, Env } from './http.ts';

/** Statistics, their CSV export and the yearly report due before 15/12. */
export function reportRoutes(admin: Hono<Env>, { assistant }: ConsoleDeps) {
  const { state } = assistant;

  const titles = new Map<string, string>(assistant.corpus.documents.map((d) => [d.id, d.title]));
  titles.set('hoi-dap', 'Hỏi đáp thường gặp');
  titles.set('giai-dap-cua-so', CURATED_TITLE);
  const titleOf = (docId: string) => titles.get(docId) ?? docId;

  const statsPeriod = (tu: string | undefined, den: string | undefined): { period: Period; tu: string; den: string } => {
    const today = vnDay(Date.now());
    const end = (den && isoDay(den)) || today;
    const from = tu ? isoDay(tu) : null;
    const start = from && from <= end ? from : `${end.slice(0, 4)}-01-01`;
    return { period: { from: vnDayStart(start)!, to: vnDayStart(end)! + 86_400_000 }, tu: start, den: end };
  };

  admin.get('/thong-ke', async (c) => {
    const { period: p, tu, den } = statsPeriod(c.req.query('tu'), c.req.query('den'));
    const granularity: Granularity = c.req.query('theo') === 'week' ? 'week' : 'month';
    const stats = await statistics(state, p, granularity, titleOf);
    return c.html(statsPage({ session: c.get('session'), stats, granularity, tu, den }));
  });

  admin.get('/thong-ke/xuat.csv', async (c) => {
    const { period: p, tu, den } = statsPeriod(c.req.query('tu'), c.req.query('den'));
    await audit(state, { username: c.get('session').staff.username, action: 'export:csv', detail: `${tu} → ${den}` });
    return c.body(await questionsCsv(state, p, titleOf), 200, {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="cau-hoi-${tu}-den-${den}.csv"`,
    });
  });

  admin.get('/bao-cao', async (c) => {
    const thisYear = Number(vnDay(Date.now()).slice(0, 4));
    const asked = Number(c.req.query('nam'));
    const year = Number.isInteger(asked) && asked >= 2020 && asked <= thisYear ? asked : thisYear;
    const full = yearPeriod(year);
    const p = { from: full.from, to: Math.min(full.to, Date.now() + 1) };
    const first = (await state.get<{ t: number | null }>('SELECT min(created_at) AS t FROM questions'))?.t;
    const firstYear = first ? Number(vnDay(first).slice(0, 4)) : thisYear;
    const years = Array.from({ length: thisYear - Math.min(firstYear, thisYear) + 1 }, (_, i) => thisYear - i);
    const curated = (await listCurated(state, 'published'))
      .filter((a) => (a.publishedAt ?? 0) >= p.from && (a.publishedAt ?? 0) < p.to)
      .reverse();
    return c.html(reportPage({ session: c.get('session'), year, years, stats: await statistics(state, p, 'month', titleOf), curated, until: p.to - 1 }));
  });
}
