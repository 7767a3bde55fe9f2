import type { Hono } from 'hono';
import { curatedById, type CuratedAnswer } from '../curated.ts';
import { groupPage, messagePage, queuePage } from '../pages.ts';
import {
  REVIEW_STATUSES,
  WHY_LABEL,
  addNote,
  curatedIdsOf,
  groupOf,
  groupQuestions,
  knownSites,
  markQuestions,
  notesOf,
  queueItems,
  questionExists,
  type QueueFilter,
  type ReviewStatus,
  type Why,
} from '../queue.ts';
import { vnDayStart } from '../stats.ts';
import { isJsonRequest, jsonError, many, one, type ConsoleDeps, type Env, type Form } from './http.ts';

/** The queue: questions the assistant could not answer well, grouped, filtered, marked and annotated. */
export function queueRoutes(admin: Hono<Env>, { assistant }: ConsoleDeps) {
  const { state } = assistant;

  const period = (tu: string | undefined, den: string | undefined): { from?: number; to?: number } => {
    const from = tu ? vnDayStart(tu) : null;
    const to = den ? vnDayStart(den) : null;
    return { ...(from !== null ? { from } : {}), ...(to !== null ? { to: to + 86_400_000 } : {}) };
  };

  const queueFilter = (q: (k: string) => string | undefined): QueueFilter & { tu?: string; den?: string } => {
    const status = q('trang-thai');
    const why = q('ly-do');
    const site = q('trang');
    const audience = q('doi-tuong');
    return {
      status: status === 'all' || REVIEW_STATUSES.includes(status as ReviewStatus) ? (status as ReviewStatus | 'all') : 'open',
      ...(why && why in WHY_LABEL ? { why: why as Why } : {}),
      ...(site !== undefined && site !== '*' ? { site: site.slice(0, 200) } : {}),
      ...(audience ? { audience: audience.slice(0, 20) } : {}),
      ...(q('q') ? { search: q('q')!.slice(0, 100) } : {}),
      ...period(q('tu'), q('den')),
      tu: q('tu') && vnDayStart(q('tu')!) !== null ? q('tu') : undefined,
      den: q('den') && vnDayStart(q('den')!) !== null ? q('den') : undefined,
    };
  };

  admin.get('/hang-cho', async (c) => {
    const filter = queueFilter((k) => c.req.query(k));
    const items = await queueItems(state, filter);
    const groups = await groupQuestions(state, items, assistant.retriever.idf);
    const query = new URLSearchParams(new URL(c.req.url).search);
    query.delete('tb');
    return c.html(
      queuePage({ session: c.get('session'), groups, questions: items.length, filter, sites: await knownSites(state), notice: c.req.query('tb'), query: query.toString() }),
    );
  });

  admin.get('/api/hang-cho', async (c) => {
    const filter = queueFilter((k) => c.req.query(k));
    const groups = await groupQuestions(state, await queueItems(state, filter), assistant.retriever.idf);
    return c.json({
      groups: groups.map((g) => ({
        id: g.id,
        text: g.text,
        count: g.items.length,
        texts: g.texts,
        why: g.why,
        status: g.status,
        firstAt: new Date(g.firstAt).toISOString(),
        lastAt: new Date(g.lastAt).toISOString(),
        questionIds: g.items.map((i) => i.id),
      })),
    });
  });

  const curatedFor = async (ids: string[]): Promise<CuratedAnswer[]> =>
    (await Promise.all((await curatedIdsOf(state, ids)).map((id) => curatedById(state, id)))).filter((a): a is CuratedAnswer => !!a);

  admin.get('/hang-cho/:id', async (c) => {
    const group = await groupOf(state, c.req.param('id'), assistant.retriever.idf);
    if (!group) return c.html(messagePage('Không tìm thấy', 'Không tìm thấy câu hỏi này (có thể đã bị xóa theo thời hạn lưu).', c.get('session')), 404);
    const ids = group.items.map((i) => i.id);
    return c.html(groupPage({ session: c.get('session'), group, notes: await notesOf(state, ids), curated: await curatedFor(ids), notice: c.req.query('tb') }));
  });

  const MARKABLE: ReviewStatus[] = ['open', 'out-of-scope', 'spam'];

  admin.post('/hang-cho/danh-dau', async (c) => {
    const form = (await c.req.parseBody({ all: true })) as Form;
    // a group's checkbox on the queue list carries all of its questions, comma-separated
    const ids = many(form, 'ids')
      .flatMap((v) => v.split(','))
      .filter(Boolean)
      .slice(0, 1000);
    const status = one(form, 'trang-thai') as ReviewStatus;
    const back = one(form, 'nhom');
    // back to the same filtered list; re-encoded, so only a query string of ours can come out of it
    const list = new URLSearchParams(one(form, 've'));
    const to = (tb: string) => {
      list.set('tb', tb);
      return c.redirect(back ? `/admin/hang-cho/${encodeURIComponent(back)}?tb=${tb}` : `/admin/hang-cho?${list}`, 303);
    };
    if (!MARKABLE.includes(status)) return c.html(messagePage('Yêu cầu không hợp lệ', 'Trạng thái không hợp lệ.', c.get('session')), 400);
    if (!ids.length) return to('chua-chon');
    await markQuestions(state, ids, status, c.get('session').staff.username);
    return to('da-danh-dau');
  });

  admin.post('/api/danh-dau', async (c) => {
    if (!isJsonRequest(c)) return jsonError(c, 415, 'not_json', 'Yêu cầu phải gửi dạng JSON.');
    const body = (await c.req.json().catch(() => null)) as { ids?: unknown; status?: unknown } | null;
    const ids = Array.isArray(body?.ids) ? body.ids.filter((x): x is string => typeof x === 'string').slice(0, 1000) : [];
    const status = body?.status as ReviewStatus;
    if (!ids.length || !MARKABLE.includes(status))
      return jsonError(c, 400, 'invalid', 'Cần "ids" (danh sách mã câu hỏi) và "status" (open, out-of-scope hoặc spam).');
    return c.json({ changed: await markQuestions(state, ids, status, c.get('session').staff.username) });
  });

  admin.post('/hang-cho/:id/ghi-chu', async (c) => {
    const id = c.req.param('id');
    const form = (await c.req.parseBody({ all: true })) as Form;
    const text = one(form, 'ghi-chu').normalize('NFC').trim().slice(0, 2000);
    if (!(await questionExists(state, id)))
      return c.html(messagePage('Không tìm thấy', 'Không tìm thấy câu hỏi này.', c.get('session')), 404);
    if (text) await addNote(state, id, c.get('session').staff.username, text);
    return c.redirect(`/admin/hang-cho/${encodeURIComponent(id)}?tb=${text ? 'da-ghi-chu' : 'chua-chon'}`, 303);
  });
}
