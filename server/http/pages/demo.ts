import { html } from 'hono/html';
import type { Corpus, CorpusDocument } from '../../corpus/index.ts';
import { page } from './layout.ts';

/**
 * The two demo pages a newcomer sees after `npm start`: the widget as the provincial portal would embed it
 * (floating) and as a school site would (inline, audience="student"). Content comes from corpus/.
 */

const EMBLEM = html`<svg class="emblem" viewBox="0 0 48 48" aria-hidden="true" focusable="false">
  <circle cx="24" cy="24" r="23" fill="#f5c518" />
  <circle cx="24" cy="24" r="19.5" fill="#c8102e" />
  <polygon points="24.0,13.0 26.6,20.4 34.5,20.6 28.2,25.4 30.5,32.9 24.0,28.4 17.5,32.9 19.8,25.4 13.5,20.6 21.4,20.4" fill="#f5c518" />
</svg>`;

const MOUNTAINS = html`<svg class="mountains" viewBox="0 0 600 120" preserveAspectRatio="xMaxYMax slice" aria-hidden="true" focusable="false">
  <path d="M0 120 L120 40 L190 90 L300 10 L400 80 L470 45 L600 100 L600 120 Z" fill="#ffffff" fill-opacity="0.08" />
  <path d="M60 120 L200 60 L280 100 L390 50 L520 110 L600 80 L600 120 Z" fill="#ffffff" fill-opacity="0.1" />
  <path d="M300 120 C 380 90, 460 118, 600 96 L600 120 Z" fill="#ffffff" fill-opacity="0.12" />
</svg>`;

const BOOK = html`<svg class="emblem" viewBox="0 0 48 48" aria-hidden="true" focusable="false">
  <circle cx="24" cy="24" r="23" fill="#ffffff" />
  <path d="M11 15c5-2 9-1.5 13 1.5v19c-4-3-8-3.5-13-1.5z" fill="#1d4e89" />
  <path d="M37 15c-5-2-9-1.5-13 1.5v19c4-3 8-3.5 13-1.5z" fill="#3d7cc9" />
  <circle cx="31" cy="12" r="4" fill="#2e9e5b" />
</svg>`;

function byPreference(docs: CorpusDocument[], preferred: string[], keep: (d: CorpusDocument) => boolean, limit: number) {
  const rank = (d: CorpusDocument) => {
    const i = preferred.indexOf(d.id);
    return i < 0 ? preferred.length : i;
  };
  return docs
    .filter(keep)
    .sort((a, b) => rank(a) - rank(b))
    .slice(0, limit);
}

const demoStrip = (text: string) => html`<div class="demo-strip" role="note"><div class="wrap">${text}</div></div>`;

export function portalPage(corpus: Corpus, widget: string | null) {
  const plan = corpus.documents.find((d) => d.kind === 'plan' && d.id === 'ke-hoach-cnsh-bvmt-2030') ?? corpus.documents.find((d) => d.kind === 'plan');
  const guides = byPreference(
    corpus.documents,
    ['dem-lot-sinh-hoc', 'ham-biogas', 'u-phan-compost-trichoderma', 'rac-huu-co-phan-loai-tai-nguon', 'che-pham-sinh-hoc', 'nuoc-thai-so-che-ca-phe'],
    (d) => d.kind === 'guide' && d.audience.some((a) => a === 'citizen' || a === 'farmer') && d.id !== 'thuat-ngu',
    6,
  );
  const related = corpus.documents.filter((d) => d.kind === 'plan' || d.kind === 'catalog' || d.id === 'thuat-ngu' || d.id === 'hoi-o-dau');
  // the launcher is fixed to a corner, but placed early in the page so it comes early in the Tab order
  const body = html`${widget ? html`<cnsh-chat site="cong-thong-tin-minh-hoa"></cnsh-chat>` : ''}
    ${demoStrip('Trang minh họa cách gắn trợ lý Hỏi đáp CNSH lên cổng thông tin của tỉnh. Đây không phải trang chính thức của cơ quan nhà nước.')}
    <header class="portal-header">
      <div class="wrap portal-brand">
        ${EMBLEM}
        <div>
          <p class="org-parent">Ủy ban nhân dân tỉnh Sơn La</p>
          <p class="org-name">Sở Nông nghiệp và Môi trường</p>
          <p class="org-tag">Cổng thông tin điện tử</p>
        </div>
        ${MOUNTAINS}
      </div>
      <nav class="portal-nav" aria-label="Điều hướng chính">
        <ul class="wrap">
          <li><a href="/" aria-current="page">Trang chủ</a></li>
          <li><a href="/nguon/ke-hoach-cnsh-bvmt-2030">Kế hoạch CNSH</a></li>
          <li><a href="/nguon">Hướng dẫn kỹ thuật</a></li>
          <li><a href="/nguon/danh-muc-san-pham">Chế phẩm sinh học</a></li>
          <li><a href="/nguon/hoi-dap">Hỏi đáp</a></li>
          <li><a href="/truong-hoc">Góc học tập</a></li>
        </ul>
      </nav>
    </header>
    <main id="noi-dung" class="wrap portal-main">
      <div class="portal-grid">
        <div class="col-main">
          ${plan
            ? html`<article class="feature">
                <p class="kicker">Kế hoạch · ${typeof plan.meta.issuer === 'string' ? plan.meta.issuer : 'UBND tỉnh Sơn La'}</p>
                <h1>${plan.title}</h1>
                <p>${plan.summary}</p>
                <p class="actions">
                  <a class="button" href="/nguon/${plan.id}">Đọc toàn văn Kế hoạch</a>
                  <button type="button" class="button ghost" data-open-chat hidden>Hỏi trợ lý về Kế hoạch</button>
                </p>
              </article>`
            : ''}
          <section aria-labelledby="huong-dan">
            <h2 id="huong-dan" class="section-title">Hướng dẫn kỹ thuật cho bà con</h2>
            <ul class="cards">
              ${guides.map(
                (d) => html`<li class="card">
                  <h3><a href="/nguon/${d.id}">${d.shortTitle}</a></h3>
                  <p>${d.summary}</p>
                </li>`,
              )}
            </ul>
            <p class="more"><a href="/nguon">Xem tất cả tài liệu hướng dẫn</a></p>
          </section>
        </div>
        <aside class="col-side" aria-label="Thông tin thêm">
          <section class="ask-box" aria-labelledby="hoi-dap-cnsh">
            <h2 id="hoi-dap-cnsh">Hỏi đáp công nghệ sinh học</h2>
            <p>
              Có câu hỏi về đệm lót sinh học, hầm biogas, ủ phân hay chế phẩm vi sinh? Trợ lý trả lời ngay, bằng tiếng Việt,
              kèm nguồn tài liệu để bạn đọc lại.
            </p>
            <button type="button" class="button" data-open-chat hidden>Đặt câu hỏi</button>
            <p class="small">Nút “Hỏi trợ lý” luôn ở góc dưới bên phải màn hình.</p>
          </section>
          <section class="side-box" aria-labelledby="van-ban">
            <h2 id="van-ban">Văn bản và tài liệu</h2>
            <ul class="links">
              ${related.map((d) => html`<li><a href="/nguon/${d.id}">${d.shortTitle}</a></li>`)}
              <li><a href="/nguon/hoi-dap">Hỏi đáp thường gặp</a></li>
            </ul>
          </section>
          <section class="side-box" aria-labelledby="hoc-sinh">
            <h2 id="hoc-sinh">Dành cho học sinh</h2>
            <p>Chuyên đề Sinh học 10 về công nghệ vi sinh vật xử lí ô nhiễm, có trợ lý học tập riêng.</p>
            <p><a href="/truong-hoc">Mở Góc học tập Sinh học 10</a></p>
          </section>
        </aside>
      </div>
    </main>
    <footer class="portal-footer">
      <div class="wrap">
        <p><strong>Sở Nông nghiệp và Môi trường tỉnh Sơn La</strong> — trang minh họa của dự án Hỏi đáp CNSH.</p>
        <p>
          Nội dung trích từ Kế hoạch của UBND tỉnh Sơn La và các tài liệu hướng dẫn có ghi nguồn.
          <a href="/nguon">Tài liệu nguồn</a> · <a href="/quyen-rieng-tu">Quyền riêng tư</a>
        </p>
      </div>
    </footer>
`;
  return page({
    title: 'Sở Nông nghiệp và Môi trường tỉnh Sơn La — Hỏi đáp công nghệ sinh học (trang minh họa)',
    description: 'Trang minh họa: trợ lý Hỏi đáp CNSH gắn trên cổng thông tin của Sở Nông nghiệp và Môi trường tỉnh Sơn La.',
    theme: 'portal',
    body,
    widget,
  });
}

export function schoolPage(corpus: Corpus, widget: string | null) {
  const lessons = byPreference(
    corpus.documents,
    ['hs-vi-sinh-vat-phan-giai', 'hs-xu-ly-nuoc-thai', 'hs-xu-ly-chat-thai-ran', 'hs-thu-khi-sinh-hoc', 'hs-du-an-dieu-tra-dia-phuong'],
    (d) => d.kind === 'guide' && d.audience.length === 1 && d.audience[0] === 'student',
    10,
  );
  const body = html`${demoStrip('Trang minh họa một trang web trường học gắn trợ lý ở chế độ học sinh.')}
    <header class="school-header">
      <div class="wrap school-brand">
        ${BOOK}
        <div>
          <p class="org-parent">Trường Trung học phổ thông · Tổ Sinh học</p>
          <p class="org-name">Góc học tập Sinh học 10</p>
        </div>
      </div>
      <nav class="school-nav" aria-label="Điều hướng chính">
        <ul class="wrap">
          <li><a href="#hoi-tro-ly">Hỏi trợ lý</a></li>
          <li><a href="#bai-hoc">Bài học</a></li>
          <li><a href="/nguon/thuat-ngu">Thuật ngữ</a></li>
          <li><a href="/nguon">Tài liệu nguồn</a></li>
          <li><a href="/giao-vien">Dành cho giáo viên</a></li>
          <li><a href="/">Cổng thông tin tỉnh</a></li>
        </ul>
      </nav>
    </header>
    <main id="noi-dung" class="wrap school-main">
      <div class="school-grid">
        <section class="school-intro" aria-labelledby="chuyen-de">
          <p class="kicker">Chuyên đề học tập 3 · 10 tiết</p>
          <h1 id="chuyen-de">Công nghệ vi sinh vật trong xử lí ô nhiễm môi trường</h1>
          <p>
            Hỏi trợ lý về vi sinh vật phân giải, xử lí nước thải, chất thải rắn, khí sinh học hay cách làm dự án điều tra ở
            địa phương. Mỗi câu trả lời đều có nguồn để em đọc thêm; chạm vào thuật ngữ có gạch chân chấm để xem giải thích.
          </p>
        </section>
        <section id="hoi-tro-ly" class="assistant-col" aria-label="Hỏi trợ lý học tập">
          <div class="widget-frame">
            ${widget ? html`<cnsh-chat mode="inline" audience="student" site="truong-hoc-minh-hoa"></cnsh-chat>` : ''}
          </div>
        </section>
        <section id="bai-hoc" class="lessons" aria-labelledby="bai-h">
          <h2 id="bai-h" class="section-title">Bài học trong chuyên đề</h2>
          <ol class="lesson-list">
            ${lessons.map(
              (d) => html`<li>
                <h3><a href="/nguon/${d.id}">${d.title}</a></h3>
                <p>${d.summary}</p>
              </li>`,
            )}
          </ol>
          <div class="tip">
            <h3>Gợi ý cho giờ học</h3>
            <p>
              Mỗi nhóm chọn một bài, hỏi trợ lý ba câu, rồi mở nguồn được trích để kiểm tra câu trả lời. Trợ lý có thể chưa
              biết hết: câu nào nó chưa trả lời được sẽ được chuyển cho cán bộ bổ sung.
            </p>
          </div>
        </section>
      </div>
    </main>
    <footer class="school-footer">
      <div class="wrap">
        <p>Trang minh họa dành cho trường học. Trợ lý do Sở Nông nghiệp và Môi trường tỉnh Sơn La cung cấp (minh họa).</p>
        <p><a href="/quyen-rieng-tu">Quyền riêng tư</a> · <a href="/nguon">Tài liệu nguồn</a></p>
      </div>
    </footer>`;
  return page({
    title: 'Góc học tập Sinh học 10 — Công nghệ vi sinh vật trong xử lí ô nhiễm môi trường (trang minh họa)',
    description: 'Trang minh họa: trợ lý học tập gắn trên trang web trường học, chế độ học sinh.',
    theme: 'school',
    body,
    widget,
  });
}
