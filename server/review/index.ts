import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { readFileSync } from 'node:fs';
import type { Assistant } from '../assistant.ts';
import type { Config } from '../config.ts';
import { GLOSSARY_DOC_ID, CATALOG_DOC_ID, CURATED_TITLE, type CorpusDocument } from '../corpus/index.ts';
import type { Audience } from '../corpus/schema.ts';
import { cameOverTls, clientAddress, rateKey, trustedProxies } from '../http/guard/client.ts';
import { audit, auditLog, ensureReviewTables } from './db.ts';
import {
  AUDIENCES,
  corpusResolver,
  curatedById,
  listCurated,
  saveCurated,
  sourceRefOf,
  unpublishCurated,
  type CuratedAnswer,
  type CuratedInput,
  type SourceRef,
} from './curated.ts';
import {
  answerFormPage,
  auditPage,
  curatedListPage,
  groupPage,
  loginPage,
  messagePage,
  passwordPage,
  queuePage,
  reportPage,
  staffPage,
  statsPage,
  type AnswerFormView,
  type SectionChoice,
} from './pages.ts';
import { dummyVerify, verifyPassword } from './password.ts';
import {
  REVIEW_STATUSES,
  WHY_LABEL,
  addNote,
  groupOf,
  groupQuestions,
  knownSites,
  markQuestions,
  notesOf,
  queueItems,
  type QueueFilter,
  type ReviewStatus,
  type Why,
} from './queue.ts';
import {
  clearAccountFailures,
  createSession,
  deleteSession,
  loginLockedFor,
  newToken,
  readSession,
  recordLoginFailure,
  sameToken,
  type StaffSession,
} from './session.ts';
import { canonicalUsername, findStaff, listStaff, setDisabled, setPassword, StaffError } from './staff.ts';
import { questionsCsv, statistics, vnDay, vnDayStart, yearPeriod, type Granularity, type Period } from './stats.ts';

type Env = { Variables: { session: StaffSession } };

const STATIC: Record<string, { type: string; body: string }> = Object.fromEntries(
  [
    ['admin.css', 'text/css; charset=utf-8'],
    ['admin.js', 'text/javascript; charset=utf-8'],
    ['icon.svg', 'image/svg+xml'],
  ].map(([file, type]) => [file, { type: type!, body: readFileSync(new URL(`./static/${file}`, import.meta.url), 'utf8') }]),
);

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const LOGIN_PATH = '/admin/dang-nhap';

export interface AdminOptions {
  config: Pick<Config, 'trustProxy'>;
}

const jsonError = (c: Context, status: 401 | 403 | 404 | 415 | 422 | 400, code: string, message: string, extra: object = {}) =>
  c.json({ error: { code, message, ...extra } }, status);

const isApi = (c: Context) => c.req.path.startsWith('/admin/api/');

/** Only a path inside the console may follow sign-in (no open redirect). */
function safeNext(value: unknown): string {
  const s = typeof value === 'string' ? value : '';
  return /^\/admin(?:[/?][^\\\s]*)?$/.test(s) && !s.startsWith('//') && !s.includes('/../') && !s.startsWith(LOGIN_PATH) ? s : '/admin/hang-cho';
}

type Form = Record<string, string | File | (string | File)[]>;
const one = (form: Form, key: string): string => {
  const v = form[key];
  const first = Array.isArray(v) ? v[0] : v;
  return typeof first === 'string' ? first : '';
};
const many = (form: Form, key: string): string[] => {
  const v = form[key];
  return (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === 'string');
};
const isFormRequest = (c: Context) => /^(application\/x-www-form-urlencoded|multipart\/form-data)\b/i.test(c.req.header('content-type') ?? '');
const isJsonRequest = (c: Context) => /^application\/(?:[\w.+-]+\+)?json\b/i.test(c.req.header('content-type') ?? '');

/** The staff console, mounted at /admin. */
export function adminRoutes(assistant: Assistant, options: AdminOptions) {
  const { db } = assistant;
  ensureReviewTables(db);
  const proxies = trustedProxies(options.config.trustProxy);
  const admin = new Hono<Env>();

  /** Secure cookies everywhere, except plain HTTP to this machine (development, tests). */
  const transport = (c: Context) => {
    const host = new URL(c.req.url).hostname;
    const tls = cameOverTls(c, proxies);
    return { tls, local: !tls && LOCAL_HOSTS.has(host) };
  };
  const cookieName = (c: Context, base: 'staff' | 'login') => (transport(c).local ? `cnsh_${base}` : `__Host-cnsh_${base}`);
  const putCookie = (c: Context, base: 'staff' | 'login', value: string, maxAge?: number) =>
    setCookie(c, cookieName(c, base), value, {
      httpOnly: true,
      secure: !transport(c).local,
      sameSite: 'Strict',
      path: '/',
      ...(maxAge ? { maxAge } : {}),
    });
  const dropCookie = (c: Context, base: 'staff' | 'login') =>
    deleteCookie(c, cookieName(c, base), { path: '/', secure: !transport(c).local, httpOnly: true, sameSite: 'Strict' });

  /** The origin a same-site browser request carries: what the browser sees in its address bar. */
  const ownOrigin = (c: Context) => {
    const url = new URL(c.req.url);
    return `${cameOverTls(c, proxies) ? 'https' : url.protocol.replace(':', '')}://${url.host}`;
  };

  const titles = new Map<string, string>(assistant.corpus.documents.map((d) => [d.id, d.title]));
  titles.set('hoi-dap', 'Hỏi đáp thường gặp');
  titles.set('giai-dap-cua-so', CURATED_TITLE);
  const titleOf = (docId: string) => titles.get(docId) ?? docId;

  // ——— for every /admin request ———
  admin.use('*', async (c, next) => {
    await next();
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) c.res.headers.set(k, v);
    // the console is never shared with other sites, whatever a global middleware decided
    for (const k of [...c.res.headers.keys()]) if (k.startsWith('access-control-')) c.res.headers.delete(k);
  });

  admin.use('*', bodyLimit({ maxSize: 64 * 1024, onError: (c) => c.text('Nội dung gửi lên quá lớn.', 413) }));

  /** A cross-site request never changes anything: Sec-Fetch-Site first, Origin where browsers omit it. */
  admin.use('*', async (c, next) => {
    if (!UNSAFE_METHODS.has(c.req.method)) return next();
    const site = c.req.header('sec-fetch-site');
    const origin = c.req.header('origin');
    // with Referrer-Policy: no-referrer a browser sends "Origin: null" on its own forms; Sec-Fetch-Site then speaks
    const crossSite =
      (site !== undefined && site !== 'same-origin' && site !== 'none') ||
      (origin !== undefined && origin !== 'null' && origin !== ownOrigin(c)) ||
      (site === undefined && origin === 'null');
    if (!crossSite) return next();
    audit(db, { username: null, action: 'csrf:refused', target: c.req.path, detail: `Origin: ${origin ?? '—'}, Sec-Fetch-Site: ${site ?? '—'}` });
    return isApi(c) || isJsonRequest(c)
      ? jsonError(c, 403, 'cross_site', 'Yêu cầu từ trang web khác bị từ chối.')
      : c.html(messagePage('Yêu cầu bị từ chối', 'Yêu cầu này đến từ một trang web khác nên đã bị từ chối.'), 403);
  });

  admin.get('/static/:file', (c) => {
    const file = STATIC[c.req.param('file')];
    return file ? c.body(file.body, 200, { 'Content-Type': file.type }) : c.text('Không tìm thấy.', 404);
  });

  // ——— đăng nhập ———
  const httpsRequired = (c: Context) =>
    !transport(c).tls && !transport(c).local
      ? c.html(
          messagePage(
            'Cần kết nối an toàn',
            'Trang cán bộ chỉ mở qua HTTPS. Hãy dùng địa chỉ https://, hoặc (khi máy chủ đứng sau reverse proxy) đặt TRUST_PROXY để máy chủ nhận biết kết nối HTTPS.',
          ),
          403,
        )
      : null;

  const showLogin = (c: Context, status: 200 | 401 | 403 | 429, view: { error?: string | null; username?: string; next?: string; notice?: string | null }) => {
    const loginToken = newToken();
    putCookie(c, 'login', loginToken, 3600);
    return c.html(loginPage({ loginToken, next: view.next ?? '/admin/hang-cho', username: view.username, error: view.error, notice: view.notice }), status);
  };

  admin.get('/dang-nhap', (c) => {
    const refuse = httpsRequired(c);
    if (refuse) return refuse;
    const notice = c.req.query('tb') === 'da-dang-xuat' ? 'da-dang-xuat' : c.req.query('het-han') ? 'het-han' : null;
    return showLogin(c, 200, { next: safeNext(c.req.query('tiep')), notice });
  });

  const WRONG = 'Tên đăng nhập hoặc mật khẩu không đúng.';

  admin.post('/dang-nhap', async (c) => {
    const refuse = httpsRequired(c);
    if (refuse) return refuse;
    const form = (await c.req.parseBody({ all: true })) as Form;
    const username = canonicalUsername(one(form, 'username')).slice(0, 64);
    const password = one(form, 'password');
    const next = safeNext(one(form, 'tiep'));
    // the sign-in form carries its own token too, so another site cannot sign a browser in
    if (!sameToken(one(form, '_login'), getCookie(c, cookieName(c, 'login')) ?? '\0'))
      return showLogin(c, 403, { username, next, error: 'Trang đăng nhập đã quá hạn. Vui lòng nhập lại.' });

    const ip = clientAddress(c, proxies);
    const keys = { account: username || '(trống)', address: rateKey(ip) };
    const wait = loginLockedFor(db, keys);
    if (wait) {
      audit(db, { username: null, action: 'login:throttled', target: findStaff(db, username) ? username : null, ip });
      c.header('Retry-After', String(wait));
      return showLogin(c, 429, {
        username,
        next,
        error: `Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau khoảng ${Math.max(1, Math.ceil(wait / 60))} phút.`,
      });
    }
    const staff = username ? findStaff(db, username) : null;
    const usable = staff && !staff.disabled && password.length <= 256;
    // unknown and disabled accounts take as long as real ones and get the same answer
    const ok = usable ? await verifyPassword(password, staff.passwordHash) : await dummyVerify(password.slice(0, 256));
    if (!ok || !staff) {
      recordLoginFailure(db, keys);
      audit(db, { username: null, action: 'login:fail', target: staff ? staff.username : null, ip });
      return showLogin(c, 401, { username, next, error: WRONG });
    }
    clearAccountFailures(db, keys.account);
    deleteSession(db, getCookie(c, cookieName(c, 'staff')));
    const { token } = createSession(db, staff.id);
    putCookie(c, 'staff', token);
    dropCookie(c, 'login');
    audit(db, { username: staff.username, action: 'login', ip });
    return c.redirect(next, 303);
  });

  // ——— everything below needs a session ———
  admin.use('*', async (c, next) => {
    const check = readSession(db, getCookie(c, cookieName(c, 'staff')));
    if (!check.ok) {
      if (isApi(c)) return jsonError(c, 401, 'unauthorized', 'Bạn cần đăng nhập trang cán bộ.');
      const url = new URL(c.req.url);
      const query = new URLSearchParams();
      if (check.expired) query.set('het-han', '1');
      if (c.req.method === 'GET') query.set('tiep', url.pathname + url.search);
      return c.redirect(`${LOGIN_PATH}${query.size ? `?${query}` : ''}`, 302);
    }
    const session = check.session;
    if (UNSAFE_METHODS.has(c.req.method)) {
      // JSON calls send the token in X-CSRF-Token (from <meta name="csrf-token">); forms in a hidden field
      const header = c.req.header('x-csrf-token');
      const token = header ?? (isFormRequest(c) ? one((await c.req.parseBody({ all: true })) as Form, '_csrf') : undefined);
      if (!sameToken(token, session.csrf)) {
        audit(db, { username: session.staff.username, action: 'csrf:refused', target: c.req.path, detail: 'thiếu hoặc sai mã CSRF' });
        return isApi(c) || isJsonRequest(c)
          ? jsonError(c, 403, 'csrf', 'Thiếu hoặc sai mã chống giả mạo (X-CSRF-Token).')
          : c.html(messagePage('Yêu cầu bị từ chối', 'Biểu mẫu đã quá hạn. Hãy tải lại trang rồi thử lại.', session), 403);
      }
    }
    c.set('session', session);
    return next();
  });

  const adminOnly: MiddlewareHandler<Env> = async (c, next) =>
    c.get('session').staff.role === 'admin'
      ? next()
      : isApi(c)
        ? jsonError(c, 403, 'forbidden', 'Chức năng này dành cho quản trị viên.')
        : c.html(messagePage('Không có quyền', 'Chức năng này dành cho quản trị viên.', c.get('session')), 403);

  admin.post('/dang-xuat', (c) => {
    const s = c.get('session');
    deleteSession(db, getCookie(c, cookieName(c, 'staff')));
    dropCookie(c, 'staff');
    audit(db, { username: s.staff.username, action: 'logout' });
    return c.redirect(`${LOGIN_PATH}?tb=da-dang-xuat`, 303);
  });

  admin.get('/', (c) => c.redirect('/admin/hang-cho', 302));

  // ——— hàng chờ ———
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

  admin.get('/hang-cho', (c) => {
    const filter = queueFilter((k) => c.req.query(k));
    const items = queueItems(db, filter);
    const groups = groupQuestions(db, items, assistant.retriever.idf);
    return c.html(queuePage({ session: c.get('session'), groups, questions: items.length, filter, sites: knownSites(db), notice: c.req.query('tb') }));
  });

  admin.get('/api/hang-cho', (c) => {
    const filter = queueFilter((k) => c.req.query(k));
    const groups = groupQuestions(db, queueItems(db, filter), assistant.retriever.idf);
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

  const curatedFor = (ids: string[]): CuratedAnswer[] => {
    const curatedIds = new Set(
      (
        db.prepare('SELECT DISTINCT curated_id FROM review_state WHERE curated_id IS NOT NULL AND question_id IN (SELECT value FROM json_each(?))').all(
          JSON.stringify(ids),
        ) as { curated_id: string }[]
      ).map((r) => r.curated_id),
    );
    return [...curatedIds].map((id) => curatedById(db, id)).filter((a): a is CuratedAnswer => !!a);
  };

  admin.get('/hang-cho/:id', (c) => {
    const group = groupOf(db, c.req.param('id'), assistant.retriever.idf);
    if (!group) return c.html(messagePage('Không tìm thấy', 'Không tìm thấy câu hỏi này (có thể đã bị xóa theo thời hạn lưu).', c.get('session')), 404);
    const ids = group.items.map((i) => i.id);
    return c.html(groupPage({ session: c.get('session'), group, notes: notesOf(db, ids), curated: curatedFor(ids), notice: c.req.query('tb') }));
  });

  const MARKABLE: ReviewStatus[] = ['open', 'out-of-scope', 'spam'];

  admin.post('/hang-cho/danh-dau', async (c) => {
    const form = (await c.req.parseBody({ all: true })) as Form;
    const ids = many(form, 'ids').slice(0, 1000);
    const status = one(form, 'trang-thai') as ReviewStatus;
    const back = one(form, 'nhom');
    const to = (tb: string) => c.redirect(`${back ? `/admin/hang-cho/${encodeURIComponent(back)}` : '/admin/hang-cho'}?tb=${tb}`, 303);
    if (!MARKABLE.includes(status)) return c.html(messagePage('Yêu cầu không hợp lệ', 'Trạng thái không hợp lệ.', c.get('session')), 400);
    if (!ids.length) return to('chua-chon');
    markQuestions(db, ids, status, c.get('session').staff.username);
    return to('da-danh-dau');
  });

  admin.post('/api/danh-dau', async (c) => {
    if (!isJsonRequest(c)) return jsonError(c, 415, 'not_json', 'Yêu cầu phải gửi dạng JSON.');
    const body = (await c.req.json().catch(() => null)) as { ids?: unknown; status?: unknown } | null;
    const ids = Array.isArray(body?.ids) ? body.ids.filter((x): x is string => typeof x === 'string').slice(0, 1000) : [];
    const status = body?.status as ReviewStatus;
    if (!ids.length || !MARKABLE.includes(status))
      return jsonError(c, 400, 'invalid', 'Cần "ids" (danh sách mã câu hỏi) và "status" (open, out-of-scope hoặc spam).');
    return c.json({ changed: markQuestions(db, ids, status, c.get('session').staff.username) });
  });

  admin.post('/hang-cho/:id/ghi-chu', async (c) => {
    const id = c.req.param('id');
    const form = (await c.req.parseBody({ all: true })) as Form;
    const text = one(form, 'ghi-chu').normalize('NFC').trim().slice(0, 2000);
    if (!db.prepare('SELECT 1 FROM questions WHERE id = ?').get(id))
      return c.html(messagePage('Không tìm thấy', 'Không tìm thấy câu hỏi này.', c.get('session')), 404);
    if (text) addNote(db, id, c.get('session').staff.username, text);
    return c.redirect(`/admin/hang-cho/${encodeURIComponent(id)}?tb=${text ? 'da-ghi-chu' : 'chua-chon'}`, 303);
  });

  // ——— giải đáp ———
  const resolve = corpusResolver(assistant.corpus);
  const docOrder = (d: CorpusDocument) => (d.kind === 'plan' ? 0 : d.id === GLOSSARY_DOC_ID || d.id === CATALOG_DOC_ID ? 2 : 1);
  const documents = [...assistant.corpus.documents].sort((a, b) => docOrder(a) - docOrder(b) || a.title.localeCompare(b.title, 'vi'));
  const choiceOf = (doc: CorpusDocument, anchor: string): SectionChoice | null => {
    const s = doc.sections.find((x) => x.anchor === anchor);
    if (!s || !s.text) return null;
    const flat = s.text.replace(/\s+/g, ' ');
    return { value: `${doc.id}|${s.anchor}`, doc: doc.shortTitle, label: s.label, preview: flat.length > 160 ? `${flat.slice(0, 160)}…` : flat };
  };
  const docById = new Map(documents.map((d) => [d.id, d]));

  /** "docId|anchor" from a checkbox → the reference written in the entry. */
  const sourceOf = (value: string): SourceRef | null => {
    const [docId = '', anchor = ''] = value.split('|', 2);
    const doc = docById.get(docId);
    const section = doc?.sections.find((s) => s.anchor === anchor);
    return doc && section ? sourceRefOf(doc, section) : null;
  };
  const choiceValue = (s: SourceRef) => {
    const r = resolve(s.docId, s.section);
    return r ? `${r.docId}|${r.anchor}` : null;
  };

  async function formView(
    c: Context<Env>,
    v: Omit<AnswerFormView, 'session' | 'suggested' | 'documents' | 'chosen'> & { sources: SourceRef[] },
  ): Promise<AnswerFormView> {
    const chosen = new Set(v.sources.map(choiceValue).filter((x): x is string => !!x));
    const suggested: SectionChoice[] = [];
    if (v.question) {
      const { hits } = await assistant.retriever.retrieve(v.question, { limit: 12 });
      for (const h of hits) {
        if (h.chunk.kind === 'faq') continue;
        const doc = docById.get(h.chunk.docId);
        const choice = doc && choiceOf(doc, h.chunk.anchor);
        if (choice && !suggested.some((s) => s.value === choice.value)) suggested.push(choice);
        if (suggested.length >= 6) break;
      }
    }
    const shown = new Set(suggested.map((s) => s.value));
    return {
      ...v,
      session: c.get('session'),
      chosen,
      suggested,
      documents: documents.map((doc) => ({
        doc,
        sections: doc.sections.map((s) => choiceOf(doc, s.anchor)).filter((s): s is SectionChoice => !!s && !shown.has(s.value)),
      })),
    };
  }

  /** Does each wording of the question now get this answer? Asked without logging, so statistics stay real. */
  async function checks(a: CuratedAnswer) {
    if (a.status !== 'published') return [];
    const wordings = [a.question, ...a.variants].slice(0, 6);
    return Promise.all(
      wordings.map(async (question) => {
        const r = await assistant.answer({ message: question }, { log: false });
        return { question, gotIt: r.answered && r.citations[0]?.id === `hoi-dap#${a.id}` };
      }),
    );
  }

  admin.get('/giai-dap', (c) => c.html(curatedListPage(c.get('session'), listCurated(db), c.req.query('tb'))));

  admin.get('/giai-dap/moi', async (c) => {
    const groupId = c.req.query('nhom');
    const group = groupId ? groupOf(db, groupId, assistant.retriever.idf) : null;
    const open = group?.items.filter((i) => i.status === 'open') ?? [];
    const view = await formView(c, {
      existing: null,
      question: group?.text ?? '',
      // the wordings people really used stay as variants, so a paraphrase of any of them matches
      variants: group?.texts.map((t) => t.text) ?? [],
      answer: '',
      audience: [],
      sources: [],
      questionIds: (open.length ? open : (group?.items ?? [])).map((i) => i.id),
      ...(group ? { groupId: group.id } : {}),
      problems: [],
    });
    return c.html(answerFormPage(view));
  });

  const readAnswerForm = async (c: Context<Env>): Promise<{ input: CuratedInput; publish: boolean; groupId?: string }> => {
    const form = (await c.req.parseBody({ all: true })) as Form;
    const groupId = one(form, 'nhom');
    return {
      input: {
        question: one(form, 'cau-hoi'),
        variants: one(form, 'cach-hoi').split(/\r?\n/),
        answer: one(form, 'tra-loi'),
        audience: many(form, 'doi-tuong').filter((a): a is Audience => (AUDIENCES as string[]).includes(a)),
        sources: [...new Set(many(form, 'nguon'))].map(sourceOf).filter((s): s is SourceRef => !!s),
        questionIds: many(form, 'ids').slice(0, 1000),
      },
      publish: one(form, 'hanh-dong') !== 'nhap',
      ...(groupId ? { groupId } : {}),
    };
  };

  const saveFromForm = async (c: Context<Env>, id?: string) => {
    const { input, publish, groupId } = await readAnswerForm(c);
    const result = await saveCurated(assistant, input, c.get('session').staff.username, { ...(id ? { id } : {}), publish });
    if (!result.ok) {
      const view = await formView(c, {
        existing: id ? curatedById(db, id) : null,
        ...input,
        ...(groupId ? { groupId } : {}),
        problems: result.problems,
      });
      return c.html(answerFormPage(view), 422);
    }
    return c.redirect(`/admin/giai-dap/${result.answer.id}?tb=${publish ? 'da-xuat-ban' : 'da-luu-nhap'}`, 303);
  };

  admin.post('/giai-dap', (c) => saveFromForm(c));

  admin.post('/api/giai-dap', async (c) => {
    if (!isJsonRequest(c)) return jsonError(c, 415, 'not_json', 'Yêu cầu phải gửi dạng JSON.');
    const b = (await c.req.json().catch(() => null)) as Record<string, unknown> | null;
    const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
    const input: CuratedInput = {
      question: typeof b?.question === 'string' ? b.question : '',
      variants: strings(b?.variants),
      answer: typeof b?.answer === 'string' ? b.answer : '',
      audience: strings(b?.audience) as Audience[],
      sources: (Array.isArray(b?.sources) ? b.sources : [])
        .filter((s): s is { docId: string; section?: unknown } => typeof s === 'object' && s !== null && typeof (s as { docId?: unknown }).docId === 'string')
        .map((s) => (typeof s.section === 'string' ? { docId: s.docId, section: s.section } : { docId: s.docId })),
      questionIds: strings(b?.questionIds),
    };
    const id = typeof b?.id === 'string' ? b.id : undefined;
    const result = await saveCurated(assistant, input, c.get('session').staff.username, { ...(id ? { id } : {}), publish: b?.publish !== false });
    if (!result.ok) return jsonError(c, 422, 'invalid', 'Giải đáp chưa hợp lệ.', { problems: result.problems });
    return c.json({ id: result.answer.id, status: result.answer.status, chunkId: `hoi-dap#${result.answer.id}` }, id ? 200 : 201);
  });

  admin.get('/giai-dap/:id', async (c) => {
    const a = curatedById(db, c.req.param('id'));
    if (!a) return c.html(messagePage('Không tìm thấy', 'Không tìm thấy giải đáp này.', c.get('session')), 404);
    const questionIds = (db.prepare('SELECT question_id FROM review_state WHERE curated_id = ?').all(a.id) as { question_id: string }[]).map(
      (r) => r.question_id,
    );
    const view = await formView(c, {
      existing: a,
      question: a.question,
      variants: a.variants,
      answer: a.answer,
      audience: a.audience,
      sources: a.sources,
      questionIds,
      problems: [],
      checks: await checks(a),
      history: db.prepare('SELECT * FROM audit_log WHERE target = ? ORDER BY id DESC LIMIT 50').all(a.id) as AnswerFormView['history'],
      notice: c.req.query('tb'),
    });
    return c.html(answerFormPage(view));
  });

  admin.post('/giai-dap/:id', (c) => saveFromForm(c, c.req.param('id')));

  admin.post('/giai-dap/:id/go', (c) => {
    const id = c.req.param('id');
    if (!unpublishCurated(assistant, id, c.get('session').staff.username))
      return c.html(messagePage('Không gỡ được', 'Giải đáp này không tồn tại hoặc đang không được dùng.', c.get('session')), 404);
    return c.redirect(`/admin/giai-dap/${encodeURIComponent(id)}?tb=da-go`, 303);
  });

  // ——— thống kê, CSV, báo cáo năm ———
  const statsPeriod = (tu: string | undefined, den: string | undefined): { period: Period; tu: string; den: string } => {
    const today = vnDay(Date.now());
    const end = den && vnDayStart(den) !== null ? den : today;
    const start = tu && vnDayStart(tu) !== null && tu <= end ? tu : `${end.slice(0, 4)}-01-01`;
    return { period: { from: vnDayStart(start)!, to: vnDayStart(end)! + 86_400_000 }, tu: start, den: end };
  };

  admin.get('/thong-ke', (c) => {
    const { period: p, tu, den } = statsPeriod(c.req.query('tu'), c.req.query('den'));
    const granularity: Granularity = c.req.query('theo') === 'week' ? 'week' : 'month';
    const stats = statistics(db, p, granularity, titleOf);
    return c.html(statsPage({ session: c.get('session'), stats, granularity, tu, den }));
  });

  admin.get('/thong-ke/xuat.csv', (c) => {
    const { period: p, tu, den } = statsPeriod(c.req.query('tu'), c.req.query('den'));
    audit(db, { username: c.get('session').staff.username, action: 'export:csv', detail: `${tu} → ${den}` });
    return c.body(questionsCsv(db, p, titleOf), 200, {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="cau-hoi-${tu}-den-${den}.csv"`,
    });
  });

  admin.get('/bao-cao', (c) => {
    const thisYear = Number(vnDay(Date.now()).slice(0, 4));
    const asked = Number(c.req.query('nam'));
    const year = Number.isInteger(asked) && asked >= 2020 && asked <= thisYear ? asked : thisYear;
    const full = yearPeriod(year);
    const p = { from: full.from, to: Math.min(full.to, Date.now() + 1) };
    const first = (db.prepare('SELECT min(created_at) AS t FROM questions').get() as { t: number | null }).t;
    const firstYear = first ? Number(vnDay(first).slice(0, 4)) : thisYear;
    const years = Array.from({ length: thisYear - Math.min(firstYear, thisYear) + 1 }, (_, i) => thisYear - i);
    const curated = listCurated(db, 'published')
      .filter((a) => (a.publishedAt ?? 0) >= p.from && (a.publishedAt ?? 0) < p.to)
      .reverse();
    return c.html(reportPage({ session: c.get('session'), year, years, stats: statistics(db, p, 'month', titleOf), curated, until: p.to - 1 }));
  });

  // ——— tài khoản ———
  admin.get('/mat-khau', (c) => c.html(passwordPage(c.get('session'), [])));

  admin.post('/mat-khau', async (c) => {
    const s = c.get('session');
    const form = (await c.req.parseBody({ all: true })) as Form;
    const keys = { account: s.staff.username, address: rateKey(clientAddress(c, proxies)) };
    const wait = loginLockedFor(db, keys);
    if (wait) {
      c.header('Retry-After', String(wait));
      return c.html(passwordPage(s, [`Nhập sai mật khẩu quá nhiều lần. Vui lòng thử lại sau khoảng ${Math.ceil(wait / 60)} phút.`]), 429);
    }
    const staff = findStaff(db, s.staff.username)!;
    if (!(await verifyPassword(one(form, 'cu'), staff.passwordHash))) {
      recordLoginFailure(db, keys);
      return c.html(passwordPage(s, ['Mật khẩu hiện tại không đúng.']), 422);
    }
    if (one(form, 'moi') !== one(form, 'nhac-lai')) return c.html(passwordPage(s, ['Hai lần nhập mật khẩu mới không giống nhau.']), 422);
    try {
      await setPassword(db, staff.username, one(form, 'moi'));
    } catch (e) {
      if (e instanceof StaffError) return c.html(passwordPage(s, [e.message]), 422);
      throw e;
    }
    // every session ended with the old password; this browser gets a fresh one
    const { token } = createSession(db, staff.id);
    putCookie(c, 'staff', token);
    audit(db, { username: staff.username, action: 'password:change' });
    return c.redirect('/admin/hang-cho?tb=da-doi-mat-khau', 303);
  });

  admin.get('/can-bo', adminOnly, (c) => c.html(staffPage(c.get('session'), listStaff(db), c.req.query('tb'))));

  admin.post('/can-bo/:username/:action{khoa|mo-khoa}', adminOnly, (c) => {
    const me = c.get('session').staff;
    const username = c.req.param('username');
    const disable = c.req.param('action') === 'khoa';
    if (canonicalUsername(username) === me.username)
      return c.html(messagePage('Không thực hiện được', 'Bạn không thể tự khóa tài khoản của mình.', c.get('session')), 400);
    try {
      setDisabled(db, username, disable);
    } catch (e) {
      if (e instanceof StaffError) return c.html(messagePage('Không tìm thấy', e.message, c.get('session')), 404);
      throw e;
    }
    audit(db, { username: me.username, action: disable ? 'staff:disable' : 'staff:enable', target: canonicalUsername(username) });
    return c.redirect(`/admin/can-bo?tb=${disable ? 'da-khoa' : 'da-mo-khoa'}`, 303);
  });

  admin.get('/nhat-ky', adminOnly, (c) => {
    const before = Number(c.req.query('truoc'));
    const rows = auditLog(db, { limit: 200, ...(Number.isInteger(before) && before > 0 ? { before } : {}) });
    return c.html(auditPage(c.get('session'), rows, rows.length === 200 ? rows.at(-1)!.id : null));
  });

  admin.all('*', (c) =>
    c.req.method === 'GET' && c.req.path.length > 1 && c.req.path.endsWith('/')
      ? c.redirect(c.req.path.replace(/\/+$/, '') || '/admin', 302)
      : isApi(c)
      ? jsonError(c, 404, 'not_found', 'Không tìm thấy.')
      : c.html(messagePage('Không tìm thấy', 'Không có trang này trong trang cán bộ.', c.get('session')), 404),
  );

  return admin;
}
