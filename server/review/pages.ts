import { html } from 'hono/html';
import type { CorpusDocument } from '../corpus/index.ts';
import type { AuditRow } from './db.ts';
import { CHANNEL_LABEL } from '../channels/strings.ts';
import { questionsChart, rankingChart } from './charts.ts';
import { AUDIENCES, AUDIENCE_LABEL, CURATED_STATUS_LABEL, LIMITS, type CuratedAnswer, type CuratedStatus, type OfficialRef } from './curated.ts';
import { LOW_CONFIDENCE, REVIEW_STATUSES, STATUS_LABEL, WHY_LABEL, type Note, type QueueFilter, type ReviewGroup, type ReviewItem, type Why } from './queue.ts';
import type { StaffSession } from './session.ts';
import { ROLE_LABEL, type Staff } from './staff.ts';
import { AUDIENCE_LOG_LABEL, dayInput, formatDate, formatDateTime, percent, vnDay, type Granularity, type Statistics } from './stats.ts';

/**
 * The console's pages, rendered on the server with hono's `html` template: every interpolated value is
 * escaped, so nothing a citizen or a staff member typed is ever read as HTML.
 */
type Html = ReturnType<typeof html>;

export const PRODUCT = 'Hỏi đáp CNSH';

/** Fixed messages shown after a redirect; the query string carries only the code, never text. */
export const NOTICES: Record<string, string> = {
  'da-xuat-ban': 'Đã xuất bản giải đáp. Từ bây giờ trợ lý trả lời câu hỏi này bằng giải đáp của Sở.',
  'da-luu-nhap': 'Đã lưu bản nháp. Bản nháp chưa được trợ lý dùng.',
  'da-go': 'Đã gỡ giải đáp khỏi trợ lý. Các câu hỏi liên quan đã trở lại hàng chờ.',
  'da-danh-dau': 'Đã cập nhật trạng thái các câu hỏi đã chọn.',
  'chua-chon': 'Bạn chưa chọn câu hỏi nào.',
  'da-ghi-chu': 'Đã thêm ghi chú.',
  'da-dang-xuat': 'Bạn đã đăng xuất.',
  'het-han': 'Phiên làm việc đã hết hạn. Vui lòng đăng nhập lại.',
  'da-doi-mat-khau': 'Đã đổi mật khẩu. Các phiên đăng nhập khác của bạn đã bị đăng xuất.',
  'da-khoa': 'Đã khóa tài khoản và đăng xuất mọi phiên của tài khoản đó.',
  'da-mo-khoa': 'Đã mở khóa tài khoản.',
};

export interface LayoutOptions {
  title: string;
  session?: StaffSession | null;
  /** which menu item is current */
  section?: 'hang-cho' | 'giai-dap' | 'thong-ke' | 'bao-cao' | 'can-bo' | 'nhat-ky' | 'mat-khau';
  notice?: string | null;
  printable?: boolean;
}

const MENU: { key: NonNullable<LayoutOptions['section']>; href: string; label: string; admin?: boolean }[] = [
  { key: 'hang-cho', href: '/admin/hang-cho', label: 'Hàng chờ' },
  { key: 'giai-dap', href: '/admin/giai-dap', label: 'Giải đáp' },
  { key: 'thong-ke', href: '/admin/thong-ke', label: 'Thống kê' },
  { key: 'bao-cao', href: '/admin/bao-cao', label: 'Báo cáo năm' },
  { key: 'can-bo', href: '/admin/can-bo', label: 'Cán bộ', admin: true },
  { key: 'nhat-ky', href: '/admin/nhat-ky', label: 'Nhật ký', admin: true },
];

export function csrfField(session: StaffSession) {
  return html`<input type="hidden" name="_csrf" value="${session.csrf}" />`;
}

export function layout(o: LayoutOptions, body: Html) {
  const s = o.session;
  const notice = o.notice ? NOTICES[o.notice] : null;
  return html`<!doctype html>
<html lang="vi">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="referrer" content="no-referrer" />
    ${s ? html`<meta name="csrf-token" content="${s.csrf}" />` : ''}
    <title>${o.title} · ${PRODUCT} — Trang cán bộ</title>
    <link rel="icon" href="/admin/static/icon.svg" />
    <link rel="stylesheet" href="/admin/static/admin.css" />
    <script type="module" src="/admin/static/admin.js"></script>
  </head>
  <body class="${o.printable ? 'printable' : ''}">
    <a class="skip" href="#noi-dung">Bỏ qua thanh điều hướng</a>
    <header class="top no-print">
      <div class="brand">${PRODUCT} <span>Trang cán bộ · Sở Nông nghiệp và Môi trường Sơn La</span></div>
      ${s
        ? html`<nav aria-label="Chức năng">
              <ul>
                ${MENU.filter((m) => !m.admin || s.staff.role === 'admin').map(
                  (m) => html`<li><a href="${m.href}" ${m.key === o.section ? html`aria-current="page"` : ''}>${m.label}</a></li>`,
                )}
              </ul>
            </nav>
            <form class="who" method="post" action="/admin/dang-xuat">
              ${csrfField(s)}
              <a href="/admin/mat-khau" ${o.section === 'mat-khau' ? html`aria-current="page"` : ''}>${s.staff.username}</a>
              <span class="role">(${ROLE_LABEL[s.staff.role]})</span>
              <button type="submit" class="link">Đăng xuất</button>
            </form>`
        : ''}
    </header>
    <main id="noi-dung">
      ${notice ? html`<p class="notice" role="status">${notice}</p>` : ''} ${body}
    </main>
  </body>
</html>`;
}

const problemList = (problems: string[]) =>
  problems.length
    ? html`<div class="problems" role="alert">
        <p>Chưa lưu được:</p>
        <ul>
          ${problems.map((p) => html`<li>${p}</li>`)}
        </ul>
      </div>`
    : '';

// ——— Đăng nhập ———

export interface LoginView {
  loginToken: string;
  next: string;
  username?: string;
  error?: string | null;
  notice?: string | null;
}

export function loginPage(v: LoginView) {
  return layout(
    { title: 'Đăng nhập', notice: v.notice },
    html`<section class="login">
      <h1>Đăng nhập trang cán bộ</h1>
      ${v.error ? html`<p class="error" role="alert">${v.error}</p>` : ''}
      <form method="post" action="/admin/dang-nhap">
        <input type="hidden" name="_login" value="${v.loginToken}" />
        <input type="hidden" name="tiep" value="${v.next}" />
        <label for="username">Tên đăng nhập</label>
        <input id="username" name="username" autocomplete="username" required maxlength="64" value="${v.username ?? ''}" autofocus />
        <label for="password">Mật khẩu</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required maxlength="256" />
        <button type="submit">Đăng nhập</button>
      </form>
      <p class="hint">Tài khoản do quản trị viên tạo bằng lệnh <code>npm run staff -- add</code>. Quên mật khẩu: nhờ quản trị viên đặt lại.</p>
    </section>`,
  );
}

export function messagePage(title: string, message: string, session?: StaffSession | null) {
  return layout(
    { title, session },
    html`<h1>${title}</h1>
      <p>${message}</p>
      <p><a href="/admin">Về trang cán bộ</a></p>`,
  );
}

// ——— Hàng chờ ———

/** How sure the assistant was, in words: a percentage read as a grade confuses (a decline at 65 % beside an answer at 45 %). */
const sureness = (it: ReviewItem) => (it.answered ? (it.confidence >= LOW_CONFIDENCE ? 'trợ lý chắc chắn' : 'trợ lý chưa chắc') : 'trợ lý chưa trả lời');

/** A day typed as dd/mm/yyyy whatever the browser's language (a date input shows mm/dd/yyyy in an English browser). */
const dayField = (id: string, label: string, value: string | undefined, required = false) =>
  html`<div>
    <label for="${id}">${label} <span class="hint">(ngày/tháng/năm)</span></label>
    <input id="${id}" name="${id}" inputmode="numeric" autocomplete="off" placeholder="dd/mm/yyyy" pattern="\\d{1,2}/\\d{1,2}/\\d{4}|\\d{4}-\\d{2}-\\d{2}"
      maxlength="10" size="10" value="${dayInput(value)}" ${required ? html`required` : ''} />
  </div>`;

const whyBadges = (why: Why[]) => why.map((w) => html`<span class="badge why-${w}">${WHY_LABEL[w]}</span>`);
const statusBadge = (s: keyof typeof STATUS_LABEL) => html`<span class="badge status-${s}">${STATUS_LABEL[s]}</span>`;

export interface QueueView {
  session: StaffSession;
  groups: ReviewGroup[];
  questions: number;
  filter: QueueFilter & { tu?: string; den?: string };
  sites: string[];
  notice?: string | null;
  /** the page's query string, so a bulk action comes back to the same filtered list */
  query?: string;
}

const SHOWN_GROUPS = 100;

function quickPeriods() {
  const today = vnDay(Date.now());
  const back = (days: number) => vnDay(Date.now() - days * 86_400_000);
  return [
    { label: '7 ngày qua', tu: back(6), den: today },
    { label: '30 ngày qua', tu: back(29), den: today },
    { label: 'Năm nay', tu: `${today.slice(0, 4)}-01-01`, den: today },
  ];
}

export function queuePage(v: QueueView) {
  const f = v.filter;
  const selected = (a: unknown, b: unknown) => (a === b ? html`selected` : '');
  return layout(
    { title: 'Hàng chờ', session: v.session, section: 'hang-cho', notice: v.notice },
    html`<h1>Hàng chờ</h1>
      <p class="lead">
        Câu hỏi trợ lý chưa trả lời được, câu trả lời bị đánh giá 👎 và câu trả lời có độ tin cậy thấp. Các câu hỏi gần giống nhau được gộp
        thành một nhóm.
      </p>
      <form class="filters" method="get" action="/admin/hang-cho" role="search">
        <div>
          <label for="q">Tìm (gõ có dấu hay không dấu đều được)</label>
          <input id="q" name="q" type="search" value="${f.search ?? ''}" maxlength="100" />
        </div>
        <div>
          <label for="trang-thai">Trạng thái</label>
          <select id="trang-thai" name="trang-thai">
            ${REVIEW_STATUSES.map((s) => html`<option value="${s}" ${selected(f.status, s)}>${STATUS_LABEL[s]}</option>`)}
            <option value="all" ${selected(f.status, 'all')}>Tất cả</option>
          </select>
        </div>
        <div>
          <label for="ly-do">Lý do</label>
          <select id="ly-do" name="ly-do">
            <option value="">Mọi lý do</option>
            ${(Object.keys(WHY_LABEL) as Why[]).map((w) => html`<option value="${w}" ${selected(f.why, w)}>${WHY_LABEL[w]}</option>`)}
          </select>
        </div>
        <div>
          <label for="doi-tuong">Đối tượng</label>
          <select id="doi-tuong" name="doi-tuong">
            <option value="">Mọi đối tượng</option>
            ${Object.entries(AUDIENCE_LOG_LABEL).map(([k, label]) => html`<option value="${k}" ${selected(f.audience, k)}>${label}</option>`)}
          </select>
        </div>
        <div>
          <label for="trang">Trang nhúng</label>
          <select id="trang" name="trang">
            <option value="*">Mọi trang</option>
            <option value="" ${selected(f.site, '')}>(không ghi trang)</option>
            ${v.sites.map((s) => html`<option value="${s}" ${selected(f.site, s)}>${s}</option>`)}
          </select>
        </div>
        ${dayField('tu', 'Từ ngày', f.tu)} ${dayField('den', 'Đến ngày', f.den)}
        <div class="actions"><button type="submit">Lọc</button> <a href="/admin/hang-cho">Bỏ lọc</a></div>
        <p class="quick">
          Nhanh:
          ${quickPeriods().map((p) => html`<a href="/admin/hang-cho?tu=${p.tu}&amp;den=${p.den}&amp;trang-thai=${f.status ?? 'open'}">${p.label}</a> `)}
        </p>
      </form>
      <p class="count" role="status">${v.groups.length} nhóm, ${v.questions} câu hỏi${v.groups.length > SHOWN_GROUPS ? ` (hiện ${SHOWN_GROUPS} nhóm hỏi nhiều nhất)` : ''}.</p>
      ${v.groups.length
        ? html`<form method="post" action="/admin/hang-cho/danh-dau" class="bulk">
          ${csrfField(v.session)}
          <input type="hidden" name="ve" value="${v.query ?? ''}" />
          <div class="actions bulk-actions">
            <span>Với các nhóm đã chọn:</span>
            <button type="submit" name="trang-thai" value="out-of-scope">Ngoài phạm vi</button>
            <button type="submit" name="trang-thai" value="spam">Rác, spam</button>
            <button type="submit" name="trang-thai" value="open">Đưa lại vào hàng chờ</button>
          </div>
          <table class="queue">
            <thead>
              <tr>
                <th scope="col" class="pick"><input type="checkbox" data-select-all aria-label="Chọn mọi nhóm trong trang" hidden /></th>
                <th scope="col">Câu hỏi</th>
                <th scope="col" class="num">Số lần hỏi</th>
                <th scope="col">Lý do</th>
                <th scope="col">Lần gần nhất</th>
                <th scope="col">Trạng thái</th>
                <th scope="col"><span class="visually-hidden">Thao tác</span></th>
              </tr>
            </thead>
            <tbody>
              ${v.groups.slice(0, SHOWN_GROUPS).map(
                (g) => html`<tr data-group="${g.id}">
                  <td class="pick">
                    <input type="checkbox" name="ids" value="${g.items.map((i) => i.id).join(',')}" aria-label="Chọn nhóm: ${g.text}" />
                  </td>
                  <td class="question">
                    <a href="/admin/hang-cho/${g.id}">${g.text}</a>
                    ${g.texts.length > 1 ? html`<div class="also">và ${g.texts.length - 1} cách hỏi khác</div>` : ''}
                    <div class="meta">
                      ${Object.entries(g.audiences).map(([a, n]) => html`<span>${AUDIENCE_LOG_LABEL[a] ?? a}: ${n}</span> `)}
                      ${g.sites.length ? html`<span>Trang: ${g.sites.join(', ')}</span>` : ''}
                      ${g.notes ? html`<span>${g.notes} ghi chú</span>` : ''}
                    </div>
                  </td>
                  <td class="num" data-label="Số lần hỏi">${g.items.length}</td>
                  <td class="why">${whyBadges(g.why)}</td>
                  <td class="when" data-label="Lần gần nhất">${formatDateTime(g.lastAt)}</td>
                  <td class="status">${statusBadge(g.status)}</td>
                  <td class="row-actions">
                    <a class="button" href="/admin/giai-dap/moi?nhom=${g.id}">Trả lời</a>
                  </td>
                </tr>`,
              )}
            </tbody>
          </table>
        </form>`
        : html`<p class="empty">Không có câu hỏi nào khớp bộ lọc.</p>`}`,
  );
}

export interface GroupView {
  session: StaffSession;
  group: ReviewGroup;
  notes: Note[];
  curated: CuratedAnswer[];
  notice?: string | null;
}

export function groupPage(v: GroupView) {
  const g = v.group;
  return layout(
    { title: 'Nhóm câu hỏi', session: v.session, section: 'hang-cho', notice: v.notice },
    html`<p class="crumbs"><a href="/admin/hang-cho">← Hàng chờ</a></p>
      <h1>${g.text}</h1>
      <p class="lead">
        Được hỏi ${g.items.length} lần, từ ${formatDateTime(g.firstAt)} đến ${formatDateTime(g.lastAt)}. ${whyBadges(g.why)}
        ${statusBadge(g.status)}
      </p>
      ${v.curated.length
        ? html`<p class="notice">
            Đã có giải đáp: ${v.curated.map((a) => html`<a href="/admin/giai-dap/${a.id}">${a.question}</a> (${CURATED_STATUS_LABEL[a.status]}) `)}
          </p>`
        : ''}
      <p><a class="button primary" href="/admin/giai-dap/moi?nhom=${g.id}">Viết giải đáp cho nhóm này</a></p>

      <form method="post" action="/admin/hang-cho/danh-dau">
        ${csrfField(v.session)}
        <input type="hidden" name="nhom" value="${g.id}" />
        <fieldset>
          <legend>Các lần hỏi (chọn để đổi trạng thái)</legend>
          <ul class="items">
            ${g.items.map(
              (it) => html`<li>
                <label>
                  <input type="checkbox" name="ids" value="${it.id}" ${it.status === 'open' ? html`checked` : ''} />
                  <span class="q">${it.text}</span>
                </label>
                <div class="meta">
                  ${formatDateTime(it.createdAt)} · ${AUDIENCE_LOG_LABEL[it.audience] ?? it.audience}${it.site ? html` · trang ${it.site}` : ''}${it.channel ? html` · qua ${CHANNEL_LABEL[it.channel] ?? it.channel}` : ''} ·
                  ${sureness(it)} ${whyBadges(it.why)} ${statusBadge(it.status)}
                </div>
                ${it.answered
                  ? html`<details>
                      <summary>Câu trả lời trợ lý đã đưa</summary>
                      <p class="answer">${it.answer}</p>
                    </details>`
                  : ''}
                ${it.comments.length ? html`<ul class="comments">${it.comments.map((cm) => html`<li>Góp ý: “${cm}”</li>`)}</ul>` : ''}
              </li>`,
            )}
          </ul>
        </fieldset>
        <div class="actions">
          <button type="submit" name="trang-thai" value="out-of-scope">Đánh dấu ngoài phạm vi</button>
          <button type="submit" name="trang-thai" value="spam">Đánh dấu rác, spam</button>
          <button type="submit" name="trang-thai" value="open">Đưa lại vào hàng chờ</button>
        </div>
      </form>

      <section class="notes">
        <h2>Ghi chú</h2>
        ${v.notes.length
          ? html`<ul>
              ${v.notes.map((n) => html`<li><span class="meta">${n.username}, ${formatDateTime(n.createdAt)}:</span> <span class="note">${n.text}</span></li>`)}
            </ul>`
          : html`<p class="empty">Chưa có ghi chú.</p>`}
        <form method="post" action="/admin/hang-cho/${g.id}/ghi-chu">
          ${csrfField(v.session)}
          <label for="ghi-chu">Thêm ghi chú (chỉ cán bộ thấy)</label>
          <textarea id="ghi-chu" name="ghi-chu" rows="3" maxlength="2000" required></textarea>
          <button type="submit">Lưu ghi chú</button>
        </form>
      </section>`,
  );
}

// ——— Giải đáp ———

export interface SectionChoice {
  value: string;
  doc: string;
  label: string;
  preview: string;
}

export interface AnswerFormView {
  session: StaffSession;
  /** null: a new answer */
  existing: CuratedAnswer | null;
  question: string;
  variants: string[];
  answer: string;
  audience: string[];
  chosen: Set<string>;
  /** official documents outside the corpus */
  references: OfficialRef[];
  /** the answer rests on the Sở's own word */
  ownAnswer?: boolean;
  suggested: SectionChoice[];
  documents: { doc: CorpusDocument; sections: SectionChoice[] }[];
  questionIds: string[];
  /** the wordings people used: kept as variants on save even when the question is rewritten */
  asked?: string[];
  groupId?: string;
  problems: string[];
  checks?: { question: string; gotIt: boolean }[];
  history?: AuditRow[];
  notice?: string | null;
}

const sectionBox = (s: SectionChoice, chosen: Set<string>) =>
  html`<li>
    <label>
      <input type="checkbox" name="nguon" value="${s.value}" ${chosen.has(s.value) ? html`checked` : ''} />
      <span class="doc">${s.doc}</span> — <span class="sec">${s.label}</span>
    </label>
    <div class="preview">${s.preview}</div>
  </li>`;

export function answerFormPage(v: AnswerFormView) {
  const e = v.existing;
  const action = e ? `/admin/giai-dap/${e.id}` : '/admin/giai-dap';
  return layout(
    { title: e ? 'Sửa giải đáp' : 'Viết giải đáp', session: v.session, section: 'giai-dap', notice: v.notice },
    html`<p class="crumbs">
        ${v.groupId ? html`<a href="/admin/hang-cho/${v.groupId}">← Nhóm câu hỏi</a>` : html`<a href="/admin/giai-dap">← Giải đáp</a>`}
      </p>
      <h1>${e ? 'Sửa giải đáp' : 'Viết giải đáp'}</h1>
      ${e
        ? html`<p class="lead">
            Mã <code>${e.id}</code> · ${CURATED_STATUS_LABEL[e.status]} · tạo bởi ${e.createdBy} lúc ${formatDateTime(e.createdAt)}, sửa lần cuối bởi
            ${e.updatedBy} lúc ${formatDateTime(e.updatedAt)}
          </p>`
        : html`<p class="lead">
            Khi xuất bản, trợ lý dùng ngay câu trả lời này cho câu hỏi và các cách hỏi khác dưới đây (có dấu hay không dấu), và ghi nguồn là
            “Giải đáp của Sở Nông nghiệp và Môi trường”.
          </p>`}
      ${v.checks?.length
        ? html`<section class="checks">
            <h2>Kiểm tra</h2>
            <ul>
              ${v.checks.map(
                (ch) =>
                  html`<li class="${ch.gotIt ? 'ok' : 'bad'}">${ch.gotIt ? '✓ Nhận giải đáp này' : '✗ Chưa nhận giải đáp này'}: “${ch.question}”</li>`,
              )}
            </ul>
          </section>`
        : ''}
      ${problemList(v.problems)}
      <form method="post" action="${action}" class="answer-form">
        ${csrfField(v.session)} ${v.questionIds.map((id) => html`<input type="hidden" name="ids" value="${id}" />`)}
        ${v.groupId ? html`<input type="hidden" name="nhom" value="${v.groupId}" />` : ''}
        ${(v.asked ?? []).map((t) => html`<input type="hidden" name="da-hoi" value="${t}" />`)}
        <label for="cau-hoi">Câu hỏi</label>
        <input id="cau-hoi" name="cau-hoi" required maxlength="${LIMITS.question}" value="${v.question}" />
        <label for="cach-hoi">Các cách hỏi khác, mỗi dòng một câu (giữ nguyên câu người dân đã hỏi để trợ lý nhận ra)</label>
        <textarea id="cach-hoi" name="cach-hoi" rows="4">${v.variants.join('\n')}</textarea>
        <label for="tra-loi">Câu trả lời (2–5 câu, trả lời thẳng vào câu hỏi; có thể dùng danh sách bắt đầu bằng “- ”)</label>
        <textarea id="tra-loi" name="tra-loi" rows="8" required maxlength="${LIMITS.answer}">${v.answer}</textarea>
        <fieldset class="audience">
          <legend>Đối tượng (để trống: mọi đối tượng)</legend>
          ${AUDIENCES.map(
            (a) =>
              html`<label><input type="checkbox" name="doi-tuong" value="${a}" ${v.audience.includes(a) ? html`checked` : ''} /> ${AUDIENCE_LABEL[a]}</label>`,
          )}
        </fieldset>
        <fieldset class="sources">
          <legend>Nguồn của câu trả lời: mục tài liệu, văn bản chính thức, hoặc chính Sở (ít nhất một)</legend>
          <label class="own">
            <input type="checkbox" name="cua-so" value="1" ${v.ownAnswer ? html`checked` : ''} />
            Giải đáp của chính Sở: không dựa trên tài liệu nào trong kho (ví dụ khi tài liệu không nói tới việc này). Người dân thấy nguồn là
            “Giải đáp của Sở Nông nghiệp và Môi trường”.
          </label>
          <h3>Văn bản chính thức ngoài kho tài liệu</h3>
          <p class="hint">Ghi tên văn bản (số hiệu, ngày ban hành) và đường dẫn công khai của nó, ví dụ trên cổng thông tin của tỉnh.</p>
          ${[...v.references, ...(v.references.length < LIMITS.references ? [{ title: '', url: '' }] : [])].map(
            (r, i) => html`<div class="reference">
              <label for="van-ban-ten-${i}">Tên văn bản ${i + 1}</label>
              <input id="van-ban-ten-${i}" name="van-ban-ten" maxlength="300" value="${r.title}" />
              <label for="van-ban-link-${i}">Đường dẫn văn bản ${i + 1}</label>
              <input id="van-ban-link-${i}" name="van-ban-link" type="url" inputmode="url" maxlength="500" placeholder="https://" value="${r.url}" />
            </div>`,
          )}
          <h3>Mục tài liệu trong kho</h3>
          ${v.suggested.length
            ? html`<h4>Các mục gần với câu hỏi</h4>
                <ul class="sections">
                  ${v.suggested.map((s) => sectionBox(s, v.chosen))}
                </ul>`
            : ''}
          <h4>Tất cả tài liệu</h4>
          ${v.documents.map(
            (d) => html`<details ${d.sections.some((s) => v.chosen.has(s.value)) ? html`open` : ''}>
              <summary>${d.doc.title}</summary>
              <ul class="sections">
                ${d.sections.map((s) => sectionBox(s, v.chosen))}
              </ul>
            </details>`,
          )}
        </fieldset>
        <div class="actions">
          <button type="submit" class="primary" name="hanh-dong" value="xuat-ban">${e?.status === 'published' ? 'Lưu và cập nhật' : 'Xuất bản'}</button>
          <button type="submit" name="hanh-dong" value="nhap">${e?.status === 'published' ? 'Chuyển thành bản nháp' : 'Lưu nháp'}</button>
        </div>
      </form>
      ${e?.status === 'published'
        ? html`<form method="post" action="/admin/giai-dap/${e.id}/go" data-confirm="Gỡ giải đáp này khỏi trợ lý? Các câu hỏi liên quan sẽ trở lại hàng chờ.">
            ${csrfField(v.session)}
            <button type="submit" class="danger">Gỡ khỏi trợ lý</button>
          </form>`
        : ''}
      ${v.history?.length
        ? html`<section>
            <h2>Lịch sử</h2>
            <ul class="history">
              ${v.history.map((h) => html`<li>${formatDateTime(h.at)} · ${h.username ?? ''} · ${actionLabel(h.action)}</li>`)}
            </ul>
          </section>`
        : ''}`,
  );
}

export function curatedListPage(session: StaffSession, answers: CuratedAnswer[], notice?: string | null) {
  const groups: CuratedStatus[] = ['published', 'draft', 'unpublished'];
  return layout(
    { title: 'Giải đáp', session, section: 'giai-dap', notice },
    html`<h1>Giải đáp của Sở</h1>
      <p class="lead">
        Câu trả lời do cán bộ viết. Giải đáp đang dùng được trợ lý trả lời nguyên văn. Lệnh <code>npm run faq:export</code> chép các giải đáp
        đang dùng vào <code>corpus/faq/curated.yaml</code> để lưu cùng mã nguồn.
      </p>
      <p><a class="button" href="/admin/giai-dap/moi">Viết giải đáp mới</a></p>
      ${groups.map((status) => {
        const list = answers.filter((a) => a.status === status);
        return list.length
          ? html`<h2>${CURATED_STATUS_LABEL[status]} (${list.length})</h2>
              <table>
                <thead>
                  <tr>
                    <th scope="col">Câu hỏi</th>
                    <th scope="col">Cách hỏi khác</th>
                    <th scope="col">Sửa lần cuối</th>
                  </tr>
                </thead>
                <tbody>
                  ${list.map(
                    (a) => html`<tr>
                      <td><a href="/admin/giai-dap/${a.id}">${a.question}</a></td>
                      <td class="num">${a.variants.length}</td>
                      <td>${formatDateTime(a.updatedAt)}, ${a.updatedBy}</td>
                    </tr>`,
                  )}
                </tbody>
              </table>`
          : '';
      })}
      ${answers.length ? '' : html`<p class="empty">Chưa có giải đáp nào. Hãy bắt đầu từ Hàng chờ.</p>`}`,
  );
}

// ——— Thống kê và báo cáo ———

function statTables(s: Statistics, granularity: Granularity, printed = false) {
  const table = html`<table>
        <thead>
          <tr>
            <th scope="col">${granularity === 'week' ? 'Tuần bắt đầu' : 'Tháng'}</th>
            <th scope="col" class="num">Câu hỏi</th>
            <th scope="col" class="num">Được trả lời</th>
            <th scope="col" class="num">Tỉ lệ</th>
          </tr>
        </thead>
        <tbody>
          ${s.buckets.map(
            (b) => html`<tr>
              <td>${b.label}</td>
              <td class="num">${b.total}</td>
              <td class="num">${b.answered}</td>
              <td class="num">${percent(b.answered, b.total)}</td>
            </tr>`,
          )}
        </tbody>
      </table>`;
  return html`<h2>Số câu hỏi theo ${granularity === 'week' ? 'tuần' : 'tháng'}</h2>
    ${questionsChart(s.buckets, `Số câu hỏi theo ${granularity === 'week' ? 'tuần' : 'tháng'}`)}
    ${printed
      ? table
      : html`<details class="data">
          <summary>Bảng số liệu</summary>
          ${table}
        </details>`}

    <div class="two">
      <section>
        <h2>Người dân và học sinh</h2>
        ${rankingChart(
          s.audiences.map((a) => ({ label: a.label, value: a.total })),
          'Số câu hỏi theo đối tượng', { narrow: true },
        )}
        <table>
          <thead>
            <tr>
              <th scope="col">Đối tượng</th>
              <th scope="col" class="num">Câu hỏi</th>
              <th scope="col" class="num">Được trả lời</th>
            </tr>
          </thead>
          <tbody>
            ${s.audiences.map(
              (a) => html`<tr>
                <td>${a.label}</td>
                <td class="num">${a.total}</td>
                <td class="num">${percent(a.answered, a.total)}</td>
              </tr>`,
            )}
          </tbody>
        </table>
      </section>
      <section>
        <h2>Theo trang nhúng</h2>
        ${rankingChart(
          s.sites.map((x) => ({ label: x.site ?? '(không ghi trang)', value: x.total })),
          'Số câu hỏi theo trang nhúng', { narrow: true },
        )}
        <table>
          <thead>
            <tr>
              <th scope="col">Trang</th>
              <th scope="col" class="num">Câu hỏi</th>
              <th scope="col" class="num">Được trả lời</th>
            </tr>
          </thead>
          <tbody>
            ${s.sites.map(
              (x) => html`<tr>
                <td>${x.site ?? '(không ghi trang)'}</td>
                <td class="num">${x.total}</td>
                <td class="num">${percent(x.answered, x.total)}</td>
              </tr>`,
            )}
          </tbody>
        </table>
      </section>
    </div>

    <h2>Chủ đề được hỏi nhiều (theo tài liệu được trích dẫn)</h2>
    ${s.topics.length
      ? html`${rankingChart(
            s.topics.map((t) => ({ label: t.title, value: t.count })),
            'Tài liệu được trích dẫn nhiều nhất',
          )}
          <table>
            <thead>
              <tr>
                <th scope="col">Tài liệu</th>
                <th scope="col" class="num">Số câu trả lời trích dẫn</th>
              </tr>
            </thead>
            <tbody>
              ${s.topics.slice(0, 20).map(
                (t) => html`<tr>
                  <td>${t.title}</td>
                  <td class="num">${t.count}</td>
                </tr>`,
              )}
            </tbody>
          </table>`
      : html`<p class="empty">Chưa có câu trả lời nào trong khoảng thời gian này.</p>`}`;
}

function summaryCards(s: Statistics) {
  const rated = s.helpful + s.unhelpful;
  return html`<dl class="cards">
    <div><dt>Câu hỏi</dt><dd>${s.total}</dd></div>
    <div><dt>Được trả lời</dt><dd>${percent(s.answered, s.total)} <small>(${s.answered})</small></dd></div>
    <div><dt>Chưa trả lời được</dt><dd>${s.total - s.answered}</dd></div>
    <div><dt>Đánh giá 👍</dt><dd>${percent(s.helpful, rated)} <small>(${s.helpful}/${rated})</small></dd></div>
    <div><dt>Đánh giá 👎</dt><dd>${percent(s.unhelpful, rated)} <small>(${s.unhelpful}/${rated})</small></dd></div>
    <div><dt>Giải đáp mới của Sở</dt><dd>${s.curatedPublished}</dd></div>
  </dl>`;
}

export interface StatsView {
  session: StaffSession;
  stats: Statistics;
  granularity: Granularity;
  tu: string;
  den: string;
}

export function statsPage(v: StatsView) {
  const csv = `/admin/thong-ke/xuat.csv?tu=${v.tu}&den=${v.den}`;
  return layout(
    { title: 'Thống kê', session: v.session, section: 'thong-ke' },
    html`<h1>Thống kê</h1>
      <form class="filters" method="get" action="/admin/thong-ke">
        ${dayField('tu', 'Từ ngày', v.tu, true)} ${dayField('den', 'Đến ngày', v.den, true)}
        <div>
          <label for="theo">Chia theo</label>
          <select id="theo" name="theo">
            <option value="month" ${v.granularity === 'month' ? html`selected` : ''}>Tháng</option>
            <option value="week" ${v.granularity === 'week' ? html`selected` : ''}>Tuần</option>
          </select>
        </div>
        <div class="actions"><button type="submit">Xem</button></div>
      </form>
      <p class="lead">
        Từ ${formatDate(v.stats.period.from)} đến ${formatDate(v.stats.period.to - 1)}.
        <a class="button" href="${csv}" download>Tải CSV (mở được bằng Excel)</a>
      </p>
      ${summaryCards(v.stats)}
      <p>
        Hàng chờ trong khoảng này: ${REVIEW_STATUSES.map((s) => html`${STATUS_LABEL[s]} ${v.stats.review[s]}${s === 'spam' ? '' : ' · '}`)}
      </p>
      ${statTables(v.stats, v.granularity)}`,
  );
}

export interface ReportView {
  session: StaffSession;
  year: number;
  years: number[];
  stats: Statistics;
  curated: CuratedAnswer[];
  until: number;
}

export function reportPage(v: ReportView) {
  const s = v.stats;
  const handled = s.review.curated + s.review['out-of-scope'] + s.review.spam;
  return layout(
    { title: `Báo cáo năm ${v.year}`, session: v.session, section: 'bao-cao', printable: true },
    html`<div class="no-print report-tools">
        <form method="get" action="/admin/bao-cao">
          <label for="nam">Năm</label>
          <select id="nam" name="nam">
            ${v.years.map((y) => html`<option value="${y}" ${y === v.year ? html`selected` : ''}>${y}</option>`)}
          </select>
          <button type="submit">Xem</button>
        </form>
        <button type="button" data-print>In báo cáo</button>
      </div>
      <article class="report">
        <header>
          <p class="agency">UBND TỈNH SƠN LA<br />SỞ NÔNG NGHIỆP VÀ MÔI TRƯỜNG</p>
          <h1>Báo cáo kết quả vận hành Trợ lý hỏi đáp về công nghệ sinh học trong bảo vệ môi trường năm ${v.year}</h1>
          <p>
            (Kèm theo báo cáo kết quả thực hiện Kế hoạch phát triển công nghiệp sinh học trong lĩnh vực bảo vệ môi trường,
            gửi UBND tỉnh trước ngày 15/12/${v.year})
          </p>
          <p>Số liệu từ ${formatDate(s.period.from)} đến ${formatDate(v.until)}.</p>
        </header>
        <h2>1. Tổng hợp</h2>
        <table>
          <tbody>
            <tr><th scope="row">Tổng số câu hỏi nhận được</th><td class="num">${s.total}</td></tr>
            <tr><th scope="row">Số câu hỏi được trả lời có dẫn nguồn</th><td class="num">${s.answered} (${percent(s.answered, s.total)})</td></tr>
            <tr><th scope="row">Số câu hỏi chưa trả lời được, chuyển cán bộ xem xét</th><td class="num">${s.total - s.answered}</td></tr>
            <tr><th scope="row">Lượt đánh giá hữu ích / không hữu ích</th><td class="num">${s.helpful} / ${s.unhelpful}</td></tr>
            <tr><th scope="row">Giải đáp mới do Sở biên soạn và đưa vào trợ lý</th><td class="num">${s.curatedPublished}</td></tr>
            <tr><th scope="row">Câu hỏi trong hàng chờ đã được cán bộ xử lý</th><td class="num">${handled} / ${handled + s.review.open}</td></tr>
          </tbody>
        </table>
        ${summaryCards(s)}
        <h2>2. Số liệu theo tháng, đối tượng, trang nhúng và chủ đề</h2>
        ${statTables(s, 'month', true)}
        <h2>3. Giải đáp do Sở biên soạn trong năm</h2>
        ${v.curated.length
          ? html`<ol>
              ${v.curated.map((a) => html`<li>${a.question} <small>(${formatDate(a.publishedAt ?? a.updatedAt)})</small></li>`)}
            </ol>`
          : html`<p>Chưa có giải đáp nào được xuất bản trong năm.</p>`}
        <footer class="signature">
          <p>Lập ngày ${formatDate(Date.now())}, người lập: ${v.session.staff.username}</p>
          <div class="sign"><span>NGƯỜI LẬP BIỂU</span><span>THỦ TRƯỞNG ĐƠN VỊ</span></div>
        </footer>
      </article>`,
  );
}

// ——— Quản trị ———

const ACTION_LABEL: Record<string, string> = {
  login: 'Đăng nhập',
  'login:fail': 'Đăng nhập sai',
  'login:throttled': 'Đăng nhập bị tạm khóa do sai nhiều lần',
  logout: 'Đăng xuất',
  'password:change': 'Đổi mật khẩu',
  'mark:open': 'Đưa câu hỏi lại hàng chờ',
  'mark:curated': 'Đánh dấu đã có giải đáp',
  'mark:out-of-scope': 'Đánh dấu ngoài phạm vi',
  'mark:spam': 'Đánh dấu rác, spam',
  note: 'Thêm ghi chú',
  'curated:publish': 'Xuất bản giải đáp',
  'curated:update': 'Cập nhật giải đáp',
  'curated:draft': 'Lưu nháp giải đáp',
  'curated:unpublish': 'Gỡ giải đáp',
  'export:csv': 'Tải CSV',
  'csrf:refused': 'Yêu cầu bị chặn (chống giả mạo)',
  'staff:add': 'Tạo tài khoản',
  'staff:disable': 'Khóa tài khoản',
  'staff:enable': 'Mở khóa tài khoản',
  'staff:reset': 'Đặt lại mật khẩu',
};
export const actionLabel = (a: string) => ACTION_LABEL[a] ?? a;

export function auditPage(session: StaffSession, rows: AuditRow[], older: number | null) {
  return layout(
    { title: 'Nhật ký', session, section: 'nhat-ky' },
    html`<h1>Nhật ký thao tác</h1>
      <p class="lead">Mọi thao tác của cán bộ: ai, làm gì, lúc nào. Nhật ký không sửa hay xóa được từ trang này.</p>
      <table>
        <thead>
          <tr>
            <th scope="col">Thời điểm</th>
            <th scope="col">Cán bộ</th>
            <th scope="col">Thao tác</th>
            <th scope="col">Đối tượng</th>
            <th scope="col">Chi tiết</th>
            <th scope="col">Địa chỉ IP</th>
          </tr>
        </thead>
        <tbody>
          ${rows.map(
            (r) => html`<tr>
              <td>${formatDateTime(r.at)}</td>
              <td>${r.username ?? '—'}</td>
              <td>${actionLabel(r.action)}</td>
              <td class="target">${r.target ?? ''}</td>
              <td>${r.detail ?? ''}</td>
              <td>${r.ip ?? ''}</td>
            </tr>`,
          )}
        </tbody>
      </table>
      ${older ? html`<p><a href="/admin/nhat-ky?truoc=${older}">Xem cũ hơn →</a></p>` : ''}`,
  );
}

export function staffPage(session: StaffSession, staff: Staff[], notice?: string | null) {
  return layout(
    { title: 'Cán bộ', session, section: 'can-bo', notice },
    html`<h1>Tài khoản cán bộ</h1>
      <p class="lead">
        Tạo tài khoản và đặt lại mật khẩu bằng lệnh trên máy chủ: <code>npm run staff -- add &lt;tên&gt; --role reviewer</code>,
        <code>npm run staff -- reset &lt;tên&gt;</code>. Ở đây quản trị viên khóa hoặc mở khóa tài khoản.
      </p>
      <table>
        <thead>
          <tr>
            <th scope="col">Tên đăng nhập</th>
            <th scope="col">Vai trò</th>
            <th scope="col">Trạng thái</th>
            <th scope="col">Đăng nhập gần nhất</th>
            <th scope="col"><span class="visually-hidden">Thao tác</span></th>
          </tr>
        </thead>
        <tbody>
          ${staff.map(
            (s) => html`<tr>
              <td>${s.username}</td>
              <td>${ROLE_LABEL[s.role]}</td>
              <td>${s.disabled ? 'Đã khóa' : 'Đang dùng'}</td>
              <td>${s.lastLoginAt ? formatDateTime(s.lastLoginAt) : '—'}</td>
              <td>
                ${s.id === session.staff.id
                  ? html`<span class="meta">(bạn)</span>`
                  : html`<form method="post" action="/admin/can-bo/${s.username}/${s.disabled ? 'mo-khoa' : 'khoa'}">
                      ${csrfField(session)}
                      <button type="submit" class="${s.disabled ? '' : 'danger'}">${s.disabled ? 'Mở khóa' : 'Khóa'}</button>
                    </form>`}
              </td>
            </tr>`,
          )}
        </tbody>
      </table>`,
  );
}

export function passwordPage(session: StaffSession, problems: string[]) {
  return layout(
    { title: 'Đổi mật khẩu', session, section: 'mat-khau' },
    html`<h1>Đổi mật khẩu</h1>
      ${problemList(problems)}
      <form method="post" action="/admin/mat-khau" class="narrow">
        ${csrfField(session)}
        <label for="cu">Mật khẩu hiện tại</label>
        <input id="cu" name="cu" type="password" autocomplete="current-password" required maxlength="256" />
        <label for="moi">Mật khẩu mới (ít nhất 12 ký tự; nên dùng một cụm từ dễ nhớ)</label>
        <input id="moi" name="moi" type="password" autocomplete="new-password" required minlength="12" maxlength="128" />
        <label for="nhac-lai">Nhắc lại mật khẩu mới</label>
        <input id="nhac-lai" name="nhac-lai" type="password" autocomplete="new-password" required maxlength="128" />
        <button type="submit">Đổi mật khẩu</button>
      </form>`,
  );
}
