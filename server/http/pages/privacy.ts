import { html } from 'hono/html';
import { page, serviceFooter, serviceHeader } from './layout.ts';

/** `/quyen-rieng-tu`: what is kept, why and for how long, in words a fifteen-year-old understands. */
export interface PrivacyFacts {
  retentionDays: number;
  /** host of the language model questions are sent to, when one is configured */
  llmHost: string | null;
}

export function privacyPage({ retentionDays, llmHost }: PrivacyFacts, widget: string | null) {
  const body = html`${serviceHeader('privacy')}
    <main id="noi-dung" class="wrap doc narrow">
      <header class="doc-head">
        <h1>Quyền riêng tư khi dùng trợ lý Hỏi đáp CNSH</h1>
        <p class="lede">Trang này nói rõ trợ lý lưu gì, lưu để làm gì và lưu trong bao lâu.</p>
      </header>

      <section class="summary-box" aria-labelledby="tom-tat">
        <h2 id="tom-tat">Tóm tắt</h2>
        <ul>
          <li>Trợ lý <strong>lưu câu hỏi bạn gõ</strong>, sau khi tự động xoá số điện thoại, số CCCD và địa chỉ email trong câu hỏi.</li>
          <li>Trợ lý <strong>không lưu địa chỉ IP, không dùng cookie</strong> và không theo dõi bạn sang trang khác.</li>
          <li>Câu hỏi được giữ <strong>${retentionDays} ngày</strong>, sau đó tự động bị xoá.</li>
          <li>Lưu để <strong>cán bộ Sở Nông nghiệp và Môi trường</strong> xem câu nào trợ lý trả lời chưa tốt và bổ sung câu trả lời.</li>
        </ul>
        <p class="warn-line"><strong>Đừng nhập họ tên, số điện thoại, số CCCD</strong> hay địa chỉ nhà vào ô câu hỏi.</p>
      </section>

      <section aria-labelledby="luu-gi">
        <h2 id="luu-gi">Trợ lý lưu những gì?</h2>
        <ul>
          <li>Nội dung câu hỏi, đã xoá số điện thoại, số CCCD, email và các dãy số dài.</li>
          <li>Câu trả lời của trợ lý và các tài liệu được trích dẫn.</li>
          <li>Thời điểm hỏi; bạn hỏi với tư cách người dân hay học sinh; tên trang web có gắn trợ lý.</li>
          <li>Một mã ngẫu nhiên cho mỗi cuộc trò chuyện, để hiểu các câu hỏi nối tiếp nhau. Mã này không cho biết bạn là ai.</li>
          <li>Nếu bạn bấm 👍 hoặc 👎: đánh giá đó và góp ý bạn viết (góp ý cũng được xoá số điện thoại, số CCCD, email).</li>
        </ul>
      </section>

      <section aria-labelledby="khong-luu">
        <h2 id="khong-luu">Trợ lý không lưu những gì?</h2>
        <ul>
          <li>Địa chỉ IP, tên trình duyệt, loại điện thoại hay máy tính của bạn.</li>
          <li>Cookie: trợ lý không đặt cookie nào.</li>
          <li>Tài khoản: bạn không cần đăng nhập, nên trợ lý không biết tên bạn.</li>
        </ul>
      </section>

      <section aria-labelledby="tren-may">
        <h2 id="tren-may">Trên máy của bạn</h2>
        <p>
          Để bạn đọc lại được khi chuyển trang, cuộc trò chuyện được giữ tạm trong bộ nhớ của thẻ trình duyệt đang mở
          (sessionStorage). Đóng thẻ là cuộc trò chuyện mất. Bấm “Cuộc trò chuyện mới” để xoá ngay.
        </p>
      </section>

      <section aria-labelledby="vi-sao">
        <h2 id="vi-sao">Vì sao cần lưu câu hỏi?</h2>
        <p>
          Trợ lý chỉ trả lời dựa trên tài liệu có sẵn. Khi trợ lý chưa trả lời được, câu hỏi được chuyển tới cán bộ Sở Nông
          nghiệp và Môi trường tỉnh Sơn La. Cán bộ viết thêm câu trả lời có căn cứ, để lần sau bạn và người khác hỏi thì trợ lý
          trả lời được. Số liệu tổng hợp (bao nhiêu câu hỏi, về chủ đề nào) cũng giúp Sở báo cáo việc thực hiện Kế hoạch của tỉnh.
        </p>
      </section>

      <section aria-labelledby="bao-lau">
        <h2 id="bao-lau">Lưu trong bao lâu, ai được xem?</h2>
        <p>
          Câu hỏi và đánh giá được giữ ${retentionDays} ngày kể từ lúc gửi, rồi bị xoá hẳn khỏi cơ sở dữ liệu. Chỉ cán bộ được
          Sở cấp tài khoản mới xem được. Cán bộ có thể dựa vào một câu hỏi để viết mục hỏi đáp công khai, nhưng không kèm
          bất cứ thông tin nào về người hỏi.
        </p>
      </section>
      ${llmHost
        ? html`<section aria-labelledby="mo-hinh">
            <h2 id="mo-hinh">Mô hình ngôn ngữ</h2>
            <p>
              Máy chủ này đang dùng một mô hình ngôn ngữ để viết câu trả lời từ tài liệu. Câu hỏi của bạn và các đoạn tài liệu
              liên quan được gửi tới dịch vụ mô hình tại <strong>${llmHost}</strong> để tạo câu trả lời.
            </p>
          </section>`
        : ''}

      <section aria-labelledby="quyen">
        <h2 id="quyen">Quyền của bạn</h2>
        <p>
          Việc xử lý dữ liệu tuân theo Luật Bảo vệ dữ liệu cá nhân (Luật số 91/2025/QH15). Nếu lỡ nhập thông tin cá nhân và muốn
          xoá, hãy liên hệ Sở Nông nghiệp và Môi trường tỉnh Sơn La và cho biết thời điểm bạn hỏi.
        </p>
      </section>
    </main>
    ${serviceFooter()} ${widget ? html`<cnsh-chat site="quyen-rieng-tu"></cnsh-chat>` : ''}`;
  return page({
    title: 'Quyền riêng tư — Hỏi đáp CNSH',
    description: 'Trợ lý Hỏi đáp CNSH lưu gì, vì sao và trong bao lâu.',
    theme: 'service',
    body,
    widget,
  });
}
