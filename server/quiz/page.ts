import type { Handler } from 'hono';
import { html } from 'hono/html';
import type { Assistant } from '../assistant.ts';
import type { Config } from '../config.ts';
import { cameOverTls, trustedProxies } from '../http/guard/index.ts';
import { fileAsset } from '../http/pages/assets.ts';
import { page, pageSender, serviceFooter, serviceHeader } from '../http/pages/layout.ts';
import { WIDGET_FILE } from '../../widget/build.ts';
import { ALL_TOPICS, ALL_TOPICS_LABEL, ROUND_SIZE } from './api.ts';
import type { QuizBank } from './index.ts';
import { TOPICS, type Topic } from './schema.ts';
import { migrateQuiz, questionStats, roundStats } from './stats.ts';

/** Rounds counted on the page: the last 30 days. */
const RECENT_DAYS = 30;
/** Below this many answers a correct rate says little: the row says so. */
const FEW_ANSWERS = 10;

const percent = (part: number, whole: number) => (whole ? `${Math.round((100 * part) / whole)}%` : '–');

/** A lesson idea for Chuyên đề 3: one student guide to read, one activity, one quiz topic to practise. */
interface LessonIdea {
  docId: string;
  /** a section of the guide the activity starts from */
  section?: string;
  activity: string;
  topic: Topic;
}

const LESSONS: LessonIdea[] = [
  {
    docId: 'hs-vi-sinh-vat-phan-giai',
    section: 'So sánh ba kiểu phân giải',
    activity:
      'Các nhóm lập bảng so sánh phân giải hiếu khí, phân giải kị khí và lên men (có cần oxy không, sản phẩm, ví dụ), rồi tìm ở gia đình mỗi kiểu một ví dụ: đống ủ phân, hầm biogas, vại dưa muối.',
    topic: 'vi-sinh-vat-phan-giai',
  },
  {
    docId: 'hs-xu-ly-nuoc-thai',
    section: 'Ví dụ ở Sơn La: nước thải sơ chế cà phê',
    activity:
      'Học sinh vẽ sơ đồ mô hình 3 bể xử lí nước thải sơ chế cà phê ở Sơn La, ghi rõ bể nào kị khí, bể nào hiếu khí, và giải thích nguyên tắc “kị khí trước, hiếu khí sau”.',
    topic: 'xu-ly-nuoc-thai',
  },
  {
    docId: 'hs-xu-ly-chat-thai-ran',
    section: 'Ủ phân compost',
    activity:
      'Lớp theo dõi một thùng ủ rác nhà bếp hoặc một đống ủ: thử độ ẩm bằng cách nắm tay, ghi nhiệt độ và lịch đảo, rồi liên hệ với nhóm chất thải thực phẩm theo Luật Bảo vệ môi trường 2020.',
    topic: 'chat-thai-ran',
  },
  {
    docId: 'hs-thu-khi-sinh-hoc',
    section: 'Các giai đoạn tạo khí sinh học',
    activity:
      'Học sinh sắp xếp các giai đoạn tạo khí sinh học và nêu nhóm vi sinh vật của từng giai đoạn. Kết thúc bằng quy tắc an toàn: tuyệt đối không xuống hầm biogas.',
    topic: 'khi-sinh-hoc',
  },
  {
    docId: 'che-pham-sinh-hoc',
    section: 'Các loại chế phẩm sinh học',
    activity:
      'Các nhóm đọc nhãn một gói chế phẩm vi sinh (hoặc ảnh chụp nhãn), tìm thành phần, cách dùng, hạn sử dụng và đơn vị sản xuất; phân biệt chế phẩm vi sinh vật với chế phẩm enzym.',
    topic: 'che-pham-va-ung-dung',
  },
  {
    docId: 'ke-hoach-cnsh-bvmt-2030',
    section: 'V.3',
    activity:
      'Thảo luận vì sao chuyên đề này được học ở Sơn La: Kế hoạch của tỉnh giao Sở Giáo dục và Đào tạo lồng ghép công nghệ sinh học bảo vệ môi trường vào môn Sinh học ở trường trung học phổ thông.',
    topic: 'ke-hoach-tinh',
  },
];

const PROJECT_DOC = 'hs-du-an-dieu-tra-dia-phuong';

function embedSnippet(origin: string, topic: string) {
  return [
    `<script type="module" src="${origin}/widget.js"></script>`,
    `<div style="height: 640px">`,
    `  <cnsh-chat audience="student" mode="inline" topic="${topic}" site="ten-truong-cua-ban"></cnsh-chat>`,
    `</div>`,
  ].join('\n');
}

async function statistics(assistant: Assistant, bank: QuizBank) {
  await migrateQuiz(assistant.state);
  const counted = new Map((await questionStats(assistant.state)).map((s) => [s.questionId, s]));
  const rows = bank.questions
    .map((q) => ({ q, s: counted.get(q.id) ?? { shown: 0, answered: 0, correct: 0 } }))
    .filter((r) => r.s.answered > 0)
    // hardest first; among equals, the ones more students answered say more
    .sort((a, b) => a.s.correct / a.s.answered - b.s.correct / b.s.answered || b.s.answered - a.s.answered);
  const rounds = await roundStats(assistant.state, RECENT_DAYS);
  const total = rounds.reduce(
    (t, r) => ({ started: t.started + r.started, finished: t.finished + r.finished, score: t.score + r.scoreSum, questions: t.questions + r.questionSum }),
    { started: 0, finished: 0, score: 0, questions: 0 },
  );
  const topicLabel = (id: string) => (id === ALL_TOPICS ? ALL_TOPICS_LABEL : (TOPICS[id as Topic] ?? id));
  const roundRows = rounds.sort((a, b) => b.started - a.started);

  return html`<section class="part" aria-labelledby="thong-ke">
    <h2 id="thong-ke">Câu hỏi học sinh thấy khó</h2>
    <p>
      Số liệu ẩn danh từ các lượt Ôn tập trên máy chủ này. Máy chủ chỉ đếm mỗi câu hỏi đã hiện bao nhiêu lần, được trả lời bao nhiêu
      lần và bao nhiêu lần đúng, cùng số lượt ôn tập mỗi ngày theo chủ đề; không lưu tên, lớp, trường hay điểm của từng học sinh.
    </p>
    <p class="summary-line">
      Trong ${RECENT_DAYS} ngày qua: <strong>${total.started}</strong> lượt ôn tập được bắt đầu, <strong>${total.finished}</strong> lượt
      làm xong${total.questions ? html`, trả lời đúng trung bình <strong>${percent(total.score, total.questions)}</strong> số câu` : ''}.
    </p>
    ${roundRows.length
      ? html`<div class="table-wrap" role="region" aria-labelledby="bang-luot" tabindex="0">
          <table class="stats">
            <caption id="bang-luot">Lượt ôn tập theo chủ đề, ${RECENT_DAYS} ngày qua</caption>
            <thead>
              <tr><th scope="col">Chủ đề</th><th scope="col" class="num">Bắt đầu</th><th scope="col" class="num">Làm xong</th><th scope="col" class="num">Tỉ lệ đúng</th></tr>
            </thead>
            <tbody>
              ${roundRows.map(
                (r) => html`<tr>
                  <th scope="row">${topicLabel(r.topic)}</th>
                  <td class="num">${r.started}</td>
                  <td class="num">${r.finished}</td>
                  <td class="num">${percent(r.scoreSum, r.questionSum)}</td>
                </tr>`,
              )}
            </tbody>
          </table>
        </div>`
      : ''}
    ${rows.length
      ? html`<p>
            Câu có tỉ lệ trả lời đúng thấp nhất ở trên cùng. Tỉ lệ chỉ đáng tin khi câu hỏi đã có nhiều lượt trả lời; câu có dưới
            ${FEW_ANSWERS} lượt được ghi “ít lượt”. Bấm vào nguồn để xem mục tài liệu nên ôn lại với lớp.
          </p>
          <div class="table-wrap" role="region" aria-labelledby="bang-cau-hoi" tabindex="0">
            <table class="stats questions">
              <caption id="bang-cau-hoi">Tỉ lệ trả lời đúng của từng câu hỏi (tất cả thời gian)</caption>
              <thead>
                <tr>
                  <th scope="col">Câu hỏi</th>
                  <th scope="col">Chủ đề</th>
                  <th scope="col" class="num">Đã hiện</th>
                  <th scope="col" class="num">Trả lời</th>
                  <th scope="col" class="num">Đúng</th>
                  <th scope="col" class="num">Tỉ lệ đúng</th>
                </tr>
              </thead>
              <tbody>
                ${rows.map(
                  ({ q, s }) => html`<tr data-question="${q.id}">
                    <td>
                      ${q.question}
                      <span class="row-source">Nguồn: <a href="${q.resolved.url}">${q.resolved.title} — ${q.resolved.section}</a></span>
                    </td>
                    <td>${TOPICS[q.topic]}</td>
                    <td class="num">${s.shown}</td>
                    <td class="num">${s.answered}</td>
                    <td class="num">${s.correct}</td>
                    <td class="num rate">${percent(s.correct, s.answered)}${s.answered < FEW_ANSWERS ? html`<span class="few">ít lượt</span>` : ''}</td>
                  </tr>`,
                )}
              </tbody>
            </table>
          </div>`
      : html`<p class="warn-line">Chưa có lượt trả lời nào. Số liệu sẽ hiện ở đây khi học sinh làm Ôn tập.</p>`}
  </section>`;
}

export async function teacherHtml(assistant: Assistant, bank: QuizBank, origin: string, widget: string | null) {
  const docs = new Map(assistant.corpus.documents.map((d) => [d.id, d]));
  const project = docs.get(PROJECT_DOC);
  const firstTopic = bank.topics[0]?.id ?? ALL_TOPICS;
  const sectionLink = (docId: string, section?: string) => {
    const doc = docs.get(docId);
    if (!doc) return null;
    const s = section ? doc.sections.find((x) => x.heading === section || x.ref === section) : undefined;
    return { href: `/nguon/${encodeURIComponent(doc.id)}${s ? `#${encodeURIComponent(s.anchor)}` : ''}`, doc, section: s };
  };

  const body = html`${serviceHeader('teachers')}
    <main id="noi-dung" class="wrap doc teacher">
      <header class="doc-head">
        <p class="kicker">Dành cho giáo viên</p>
        <h1>Dùng trợ lý và phần Ôn tập trong giờ Sinh học 10</h1>
        <p class="lede">
          Chuyên đề học tập 3 Sinh học 10 “Công nghệ vi sinh vật trong xử lí ô nhiễm môi trường” có 10 tiết và kết thúc bằng một dự án
          điều tra tại địa phương. Trang này giúp thầy cô gắn trợ lý lên trang web của trường, gợi ý hoạt động cho từng bài và cho
          biết những câu hỏi Ôn tập học sinh hay trả lời sai.
        </p>
      </header>
      <nav class="toc" aria-labelledby="muc-luc">
        <h2 id="muc-luc">Mục lục</h2>
        <ol>
          <li><a href="#gan-tro-ly">Gắn trợ lý lên trang web của trường</a></li>
          <li><a href="#goi-y-bai-day">Gợi ý bài dạy cho Chuyên đề 3</a></li>
          <li><a href="#du-an">Dự án điều tra tại địa phương</a></li>
          <li><a href="#thong-ke">Câu hỏi học sinh thấy khó</a></li>
        </ol>
      </nav>
      <div class="prose">
        <section class="part" aria-labelledby="gan-tro-ly">
          <h2 id="gan-tro-ly">Gắn trợ lý lên trang web của trường</h2>
          <p>
            Dán đoạn mã dưới đây vào trang web của trường, ví dụ trang của tổ Sinh học. Trợ lý hiện ngay trong trang ở chế độ học
            sinh, có hai thẻ: <strong>Hỏi đáp</strong> để hỏi về chuyên đề và <strong>Ôn tập</strong> để làm một lượt ${ROUND_SIZE} câu
            trắc nghiệm, có giải thích và đường dẫn tới tài liệu nguồn sau mỗi câu.
          </p>
          <div class="snippet">
            <p class="snippet-label" id="ma-nhung">Mã nhúng</p>
            <pre aria-labelledby="ma-nhung" tabindex="0"><code>${embedSnippet(origin, firstTopic)}</code></pre>
            <button type="button" class="button ghost copy" data-copy="${embedSnippet(origin, firstTopic)}" hidden>Sao chép mã nhúng</button>
            <p class="small copy-status" role="status"></p>
          </div>
          <div class="table-wrap" role="region" aria-labelledby="bang-thuoc-tinh" tabindex="0">
            <table class="stats">
              <caption id="bang-thuoc-tinh">Các thuộc tính của thẻ <code>cnsh-chat</code></caption>
              <thead>
                <tr><th scope="col">Thuộc tính</th><th scope="col">Ý nghĩa</th></tr>
              </thead>
              <tbody>
                <tr><th scope="row"><code>audience="student"</code></th><td>Chế độ học sinh: câu hỏi gợi ý theo chuyên đề, giải thích thuật ngữ và thẻ Ôn tập. Không có thuộc tính này thì không có Ôn tập.</td></tr>
                <tr><th scope="row"><code>mode="inline"</code></th><td>Trợ lý nằm ngay trong trang, cao bằng khung chứa nó (ví dụ 640 px). Bỏ thuộc tính này thì trợ lý là một nút nổi ở góc dưới bên phải.</td></tr>
                <tr><th scope="row"><code>topic="…"</code></th><td>Chủ đề của các lượt Ôn tập (xem bảng dưới). Bỏ trống thì học sinh tự chọn chủ đề.</td></tr>
                <tr><th scope="row"><code>site="…"</code></th><td>Tên ngắn của trang web, không dấu, để cán bộ phân biệt câu hỏi đến từ trang nào.</td></tr>
              </tbody>
            </table>
          </div>
          <div class="table-wrap" role="region" aria-labelledby="bang-chu-de" tabindex="0">
            <table class="stats">
              <caption id="bang-chu-de">Giá trị của <code>topic</code></caption>
              <thead>
                <tr><th scope="col">topic</th><th scope="col">Chủ đề</th><th scope="col" class="num">Số câu hỏi</th></tr>
              </thead>
              <tbody>
                ${bank.topics.map(
                  (t) => html`<tr><th scope="row"><code>${t.id}</code></th><td>${t.label}</td><td class="num">${t.count}</td></tr>`,
                )}
                <tr><th scope="row"><code>${ALL_TOPICS}</code></th><td>${ALL_TOPICS_LABEL}</td><td class="num">${bank.questions.length}</td></tr>
              </tbody>
            </table>
          </div>
          <p>
            Trang web của trường phải có trong danh sách được phép nhúng trợ lý (biến <code>ALLOWED_ORIGINS</code> của máy chủ); thầy cô
            gửi địa chỉ trang cho đơn vị quản trị trợ lý để được thêm vào. Khi chưa được thêm, trợ lý báo không kết nối được máy chủ.
          </p>
          <p>
            Phần Ôn tập không lưu gì về học sinh: không cần đăng nhập, không ghi tên hay điểm của từng em. Kết quả chỉ hiện trên máy của
            học sinh; máy chủ chỉ đếm ẩn danh số lượt trả lời đúng, sai của từng câu để có bảng thống kê ở cuối trang này.
          </p>
        </section>

        <section class="part" aria-labelledby="goi-y-bai-day">
          <h2 id="goi-y-bai-day">Gợi ý bài dạy cho Chuyên đề 3</h2>
          <p>
            Mỗi gợi ý gồm một bài đọc cho học sinh (có ghi nguồn), một hoạt động trên lớp và một chủ đề Ôn tập để củng cố cuối giờ.
            Thầy cô có thể cho học sinh hỏi trợ lý ba câu rồi mở nguồn được trích để tự kiểm tra câu trả lời.
          </p>
          <ol class="lesson-ideas">
            ${LESSONS.map((l) => {
              const link = sectionLink(l.docId, l.section);
              if (!link) return '';
              return html`<li>
                <h3><a href="${link.href}">${link.doc.title}</a></h3>
                ${link.section
                  ? html`<p class="small">Bắt đầu từ ${link.section.label.startsWith('Mục ') ? link.section.label : `mục “${link.section.label}”`}.</p>`
                  : ''}
                <p>${l.activity}</p>
                <p class="small">Ôn tập: <code>topic="${l.topic}"</code> — ${TOPICS[l.topic]}.</p>
              </li>`;
            })}
          </ol>
        </section>

        <section class="part" aria-labelledby="du-an">
          <h2 id="du-an">Dự án điều tra tại địa phương</h2>
          ${project
            ? html`<p>
                  Bài <a href="/nguon/${project.id}">${project.title}</a> hướng dẫn học sinh từng bước. Mỗi mục dưới đây mở đúng phần tương
                  ứng của bài:
                </p>
                <ul>
                  ${project.sections
                    .filter((s) => s.level === 2 && s.anchor !== 'mo-dau')
                    .map((s) => html`<li><a href="/nguon/${project.id}#${s.anchor}">${s.heading}</a></li>`)}
                </ul>`
            : ''}
          <p class="warn-line">
            <strong>An toàn trước hết:</strong> học sinh tuyệt đối không xuống hầm biogas, bể nước thải, bể tự hoại hay hố chứa phân, kể
            cả khi nắp đã mở; luôn đi cùng giáo viên hoặc người lớn.
          </p>
          <p>
            Trước khi đi thực tế, cho lớp làm lượt Ôn tập chủ đề <code>du-an-dieu-tra</code> (${TOPICS['du-an-dieu-tra']}) để nhắc lại quy
            tắc an toàn và đạo đức khi điều tra.
          </p>
        </section>

        ${await statistics(assistant, bank)}
      </div>
    </main>
    ${serviceFooter()} ${widget ? html`<cnsh-chat audience="student" site="trang-giao-vien"></cnsh-chat>` : ''}`;
  return page({
    title: 'Dành cho giáo viên — Hỏi đáp CNSH',
    description: 'Gắn trợ lý Hỏi đáp CNSH lên trang web trường học, gợi ý bài dạy Chuyên đề 3 Sinh học 10 và thống kê ẩn danh phần Ôn tập.',
    theme: 'service',
    body,
    widget,
  });
}

/** GET /giao-vien */
export function teacherPage(
  assistant: Assistant,
  bank: QuizBank,
  config: Pick<Config, 'allowedOrigins' | 'trustProxy'> & Partial<Pick<Config, 'publicBaseUrl'>>,
): Handler {
  const send = pageSender(config.allowedOrigins);
  const proxies = trustedProxies(config.trustProxy);
  const widgetAsset = fileAsset(WIDGET_FILE);
  return async (c) => {
    const url = new URL(c.req.url);
    // the configured public origin, not whatever Host the request carried; behind a TLS proxy still https
    const origin = config.publicBaseUrl ?? `${cameOverTls(c, proxies) ? 'https:' : url.protocol}//${url.host}`;
    const asset = widgetAsset();
    return send(c, await teacherHtml(assistant, bank, origin, asset ? `/widget.js?v=${asset.hash}` : '/widget.js'));
  };
}
