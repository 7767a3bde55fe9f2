import type { Handler } from 'hono';
import { html } from 'hono/html';
import type { Config } from '../config.ts';
import { page, pageSender, serviceFooter, serviceHeader } from './pages/layout.ts';

type PrivacyConfig = Pick<Config, 'retentionDays' | 'llm' | 'allowedOrigins'> & Partial<Pick<Config, 'zalo' | 'messenger'>>;

function llmHost(config: PrivacyConfig): string | null {
  if (!config.llm) return null;
  try {
    return new URL(config.llm.baseURL).host;
  } catch {
    return config.llm.baseURL;
  }
}

/** Issue 16: what asking through Zalo or Messenger adds, shown only where those channels are on. */
function channelSection(config: PrivacyConfig) {
  const names = [config.zalo && 'Zalo', config.messenger && 'Messenger'].filter(Boolean).join(' hoặc ');
  if (!names) return '';
  return html`<section>
    <h2>Khi bạn hỏi qua ${names}</h2>
    <ul>
      <li>Câu hỏi và câu trả lời được lưu như trên. Tài khoản ${names} của bạn không được lưu dưới dạng đọc được: trợ lý chỉ giữ một mã
        băm có khóa bí mật để nối các câu hỏi của cùng một cuộc trò chuyện.</li>
      <li>Để gửi được câu trả lời, và giải đáp của cán bộ nếu trợ lý chưa trả lời được, mã người nhận được giữ ở dạng mã hóa trong
        7 ngày rồi xóa.</li>
      <li>Trợ lý là máy trả lời tự động. ${names} là dịch vụ của công ty khác: tin nhắn của bạn còn chịu chính sách riêng tư của họ.</li>
    </ul>
  </section>`;
}

/** The privacy notice in plain Vietnamese, with the retention period and model host this server really uses. */
export function privacyHtml(config: PrivacyConfig) {
  const host = llmHost(config);
  const body = html`${serviceHeader()}
    <main id="noi-dung" class="wrap doc narrow">
      <header class="doc-head">
        <h1>Quyền riêng tư khi dùng trợ lý Hỏi đáp CNSH</h1>
        <p class="lede">
          Trợ lý trả lời câu hỏi về công nghệ sinh học trong bảo vệ môi trường của tỉnh Sơn La. Trang này nói rõ chúng tôi lưu gì,
          để làm gì và trong bao lâu.
        </p>
      </header>
      <div class="prose">
        <p>
          <strong>Đừng nhập họ tên, số điện thoại, số CCCD, địa chỉ nhà hay email vào câu hỏi.</strong> Trợ lý không cần những thông
          tin đó để trả lời.
        </p>
        <section>
          <h2>Chúng tôi lưu gì</h2>
          <ul>
            <li>Nội dung câu hỏi và câu trả lời, sau khi đã tự động che số điện thoại, số CCCD, email và các dãy số dài.</li>
            <li>Bạn hỏi với tư cách người dân hay học sinh, trang web nơi bạn hỏi, và thời điểm hỏi.</li>
            <li>Đánh giá 👍/👎 và góp ý bạn gửi (cũng được che thông tin cá nhân như trên).</li>
            <li>
              Khi học sinh làm Ôn tập: chỉ các con số đếm chung — mỗi câu hỏi đã hiện, được trả lời và được trả lời đúng bao nhiêu
              lần, và mỗi ngày có bao nhiêu lượt ôn tập theo chủ đề. Không lưu ai đã trả lời, trả lời gì hay được bao nhiêu điểm.
            </li>
            <li>
              Một mã cuộc trò chuyện ngẫu nhiên, chỉ để hiểu câu hỏi nối tiếp. Mã này nằm trong thẻ trình duyệt đang mở và mất đi khi
              bạn đóng thẻ.
            </li>
          </ul>
        </section>
        ${channelSection(config)}
        <section>
          <h2>Chúng tôi không lưu gì</h2>
          <ul>
            <li>
              Không lưu địa chỉ IP, tên trình duyệt hay thiết bị cùng câu hỏi. Địa chỉ IP chỉ được giữ tạm trong bộ nhớ khoảng một phút
              để chặn việc gửi dồn dập, không ghi ra ổ đĩa.
            </li>
            <li>Không dùng cookie, không theo dõi, không quảng cáo, không bán hay chia sẻ dữ liệu.</li>
          </ul>
        </section>
        <section>
          <h2>Để làm gì</h2>
          <ul>
            <li>Cán bộ Sở Nông nghiệp và Môi trường xem những câu trợ lý chưa trả lời được để bổ sung câu trả lời chính thức.</li>
            <li>Thống kê số câu hỏi và chủ đề được quan tâm cho báo cáo hằng năm của tỉnh.</li>
          </ul>
          ${host
            ? html`<p>
                Để soạn câu trả lời, câu hỏi và các đoạn tài liệu liên quan được gửi tới dịch vụ mô hình ngôn ngữ tại
                <strong>${host}</strong>.
              </p>`
            : html`<p>
                Câu trả lời được tạo ngay trên máy chủ này từ tài liệu của tỉnh; câu hỏi không được gửi tới dịch vụ bên ngoài.
              </p>`}
        </section>
        <section>
          <h2>Giữ trong bao lâu</h2>
          <p>
            Câu hỏi và góp ý được giữ <strong>${config.retentionDays} ngày</strong>. Mỗi ngày, hệ thống tự động xóa những gì cũ hơn và
            ghi đè phần dữ liệu đã xóa để không thể khôi phục.
          </p>
        </section>
        <section>
          <h2>Quyền của bạn</h2>
          <p>
            Theo Luật Bảo vệ dữ liệu cá nhân (Luật số 91/2025/QH15) và Nghị định 356/2025/NĐ-CP, bạn có quyền được biết, được yêu cầu
            xem, chỉnh sửa hoặc xóa dữ liệu cá nhân của mình. Vì chúng tôi không lưu tên hay địa chỉ IP, chúng tôi không biết câu hỏi
            nào là của bạn. Nếu bạn lỡ nhập thông tin cá nhân, hãy liên hệ Sở Nông nghiệp và Môi trường tỉnh Sơn La, cho biết thời
            điểm và nội dung câu hỏi để cán bộ tìm và xóa.
          </p>
        </section>
      </div>
    </main>
    ${serviceFooter()}`;
  return page({
    title: 'Quyền riêng tư — Hỏi đáp CNSH',
    description: 'Trợ lý Hỏi đáp CNSH lưu gì, để làm gì và trong bao lâu.',
    theme: 'service',
    body,
  });
}

/** GET /quyen-rieng-tu — the page the widget's privacy notice links to. */
export function privacyPage(config: PrivacyConfig): Handler {
  const send = pageSender(config.allowedOrigins);
  return (c) => send(c, privacyHtml(config));
}
