import type { Handler } from 'hono';
import type { Config } from '../config.ts';

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);

function llmHost(config: Pick<Config, 'llm'>): string | null {
  if (!config.llm) return null;
  try {
    return new URL(config.llm.baseURL).host;
  } catch {
    return config.llm.baseURL;
  }
}

/** The privacy notice in plain Vietnamese, with the retention period and model host this server really uses. */
export function privacyHtml(config: Pick<Config, 'retentionDays' | 'llm'>): string {
  const host = llmHost(config);
  const days = config.retentionDays;
  return `<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Quyền riêng tư — Hỏi đáp CNSH Sơn La</title>
<style>
  body { font: 1.0625rem/1.6 system-ui, "Segoe UI", Roboto, "Noto Sans", Arial, sans-serif; color: #1b1f23; background: #fff; margin: 0; }
  main { max-width: 44rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
  h1 { font-size: 1.6rem; line-height: 1.3; color: #0b5130; }
  h2 { font-size: 1.2rem; margin-top: 2rem; color: #0b5130; }
  a { color: #0b5130; }
  a:focus-visible { outline: 3px solid #1a73e8; outline-offset: 2px; }
  .note { background: #fff7e0; border-left: 4px solid #b26a00; padding: .75rem 1rem; }
</style>
</head>
<body>
<main>
<h1>Quyền riêng tư khi dùng trợ lý Hỏi đáp CNSH</h1>
<p>Trợ lý trả lời câu hỏi về công nghệ sinh học trong bảo vệ môi trường của tỉnh Sơn La. Trang này nói rõ chúng tôi lưu gì, để làm gì và trong bao lâu.</p>

<p class="note"><strong>Đừng nhập họ tên, số điện thoại, số CCCD, địa chỉ nhà hay email vào câu hỏi.</strong> Trợ lý không cần những thông tin đó để trả lời.</p>

<h2>Chúng tôi lưu gì</h2>
<ul>
  <li>Nội dung câu hỏi và câu trả lời, sau khi đã tự động che số điện thoại, số CCCD, email và các dãy số dài.</li>
  <li>Bạn hỏi với tư cách người dân hay học sinh, trang web nơi bạn hỏi, và thời điểm hỏi.</li>
  <li>Đánh giá 👍/👎 và góp ý bạn gửi (cũng được che thông tin cá nhân như trên).</li>
  <li>Một mã cuộc trò chuyện ngẫu nhiên, chỉ để hiểu câu hỏi nối tiếp. Mã này nằm trong thẻ trình duyệt đang mở và mất đi khi bạn đóng thẻ.</li>
</ul>

<h2>Chúng tôi không lưu gì</h2>
<ul>
  <li>Không lưu địa chỉ IP, tên trình duyệt hay thiết bị cùng câu hỏi. Địa chỉ IP chỉ được giữ tạm trong bộ nhớ khoảng một phút để chặn việc gửi dồn dập, không ghi ra ổ đĩa.</li>
  <li>Không dùng cookie, không theo dõi, không quảng cáo, không bán hay chia sẻ dữ liệu.</li>
</ul>

<h2>Để làm gì</h2>
<ul>
  <li>Cán bộ Sở Nông nghiệp và Môi trường xem những câu trợ lý chưa trả lời được để bổ sung câu trả lời chính thức.</li>
  <li>Thống kê số câu hỏi và chủ đề được quan tâm cho báo cáo hằng năm của tỉnh.</li>
</ul>
${
  host
    ? `<p>Để soạn câu trả lời, câu hỏi và các đoạn tài liệu liên quan được gửi tới dịch vụ mô hình ngôn ngữ tại <strong>${escapeHtml(host)}</strong>.</p>`
    : '<p>Câu trả lời được tạo ngay trên máy chủ này từ tài liệu của tỉnh; câu hỏi không được gửi tới dịch vụ bên ngoài.</p>'
}

<h2>Giữ trong bao lâu</h2>
<p>Câu hỏi và góp ý được giữ <strong>${days} ngày</strong>. Mỗi ngày, hệ thống tự động xoá những gì cũ hơn và ghi đè phần dữ liệu đã xoá để không thể khôi phục.</p>

<h2>Quyền của bạn</h2>
<p>Theo Luật Bảo vệ dữ liệu cá nhân (Luật số 91/2025/QH15) và Nghị định 356/2025/NĐ-CP, bạn có quyền được biết, được yêu cầu xem, chỉnh sửa hoặc xoá dữ liệu cá nhân của mình. Vì chúng tôi không lưu tên hay địa chỉ IP, chúng tôi không biết câu hỏi nào là của bạn. Nếu bạn lỡ nhập thông tin cá nhân, hãy liên hệ Sở Nông nghiệp và Môi trường tỉnh Sơn La, cho biết thời điểm và nội dung câu hỏi để cán bộ tìm và xoá.</p>

<p><a href="/">Về trang chính</a></p>
</main>
</body>
</html>
`;
}

/** GET /quyen-rieng-tu — the page the widget's privacy notice links to. */
export function privacyPage(config: Pick<Config, 'retentionDays' | 'llm'>): Handler {
  const html = privacyHtml(config);
  return (c) => c.html(html);
}
