/** Every word the widget shows, in one place so a reviewer can read the whole voice of the product. */

import type { Audience } from '../../server/contract.ts';

export type { Audience } from '../../server/contract.ts';

/** The starter questions every channel offers, from the one module that holds them. */
export { STARTERS } from '../../server/starters.ts';

export const WELCOME: Record<Audience, string> = {
  citizen:
    'Xin chào! Tôi trả lời câu hỏi về công nghệ sinh học trong bảo vệ môi trường: chế phẩm sinh học, hầm biogas, đệm lót, ủ phân, xử lý rác và nước thải, và Kế hoạch của tỉnh Sơn La. Mỗi câu trả lời đều kèm nguồn.',
  student:
    'Chào bạn! Mình giúp bạn ôn Chuyên đề “Công nghệ vi sinh vật trong xử lí ô nhiễm môi trường” (Sinh học 10). Trong câu trả lời, chạm vào từ có gạch chân chấm để xem giải thích thuật ngữ.',
};

export const SUBTITLE: Record<Audience, string> = {
  citizen: 'Công nghệ sinh học bảo vệ môi trường · Sơn La',
  student: 'Góc học tập Sinh học 10',
};

export const T = {
  launcher: 'Hỏi đáp CNSH',
  title: 'Hỏi đáp CNSH',
  close: 'Đóng trợ lý',
  newChat: 'Cuộc trò chuyện mới',
  transcript: 'Cuộc trò chuyện',
  you: 'Bạn hỏi:',
  bot: 'Trợ lý trả lời:',
  tryAsking: 'Bạn có thể hỏi:',
  followUps: 'Hỏi tiếp:',
  inputLabel: 'Câu hỏi của bạn',
  placeholder: 'Nhập câu hỏi, ví dụ: ủ phân bằng Trichoderma thế nào?',
  send: 'Gửi',
  stop: 'Dừng',
  thinking: 'Đang tìm trong tài liệu…',
  slow: 'Mạng hoặc máy chủ đang chậm, trợ lý vẫn đang trả lời. Bạn có thể chờ thêm hoặc bấm “Dừng”.',
  stopped: 'Bạn đã dừng câu trả lời này.',
  askAgain: 'Hỏi lại',
  retry: 'Thử lại',
  offline: 'Bạn đang mất kết nối mạng. Hãy kiểm tra Wi-Fi hoặc 3G/4G rồi thử lại.',
  network: 'Không kết nối được tới máy chủ trợ lý. Có thể mạng đang chập chờn hoặc máy chủ tạm dừng; vui lòng thử lại sau ít phút.',
  interrupted: 'Câu trả lời bị gián đoạn giữa chừng do mất kết nối. Vui lòng thử lại.',
  server: 'Máy chủ đang gặp sự cố nên chưa trả lời được. Vui lòng thử lại sau.',
  rateWait: (s: number) => `Bạn đã hỏi nhiều câu liên tiếp. Vui lòng chờ ${s} giây rồi thử lại.`,
  rateReady: 'Bạn có thể hỏi lại ngay bây giờ.',
  sources: 'Nguồn',
  snippet: 'Xem trích đoạn',
  newTab: ' (mở trong thẻ mới)',
  refLabel: (n: number) => `Xem nguồn ${n}`,
  helpfulQ: 'Câu trả lời có hữu ích không?',
  helpful: 'Có, hữu ích',
  unhelpful: 'Chưa hữu ích',
  commentLabel: 'Góp ý thêm (không bắt buộc, đừng ghi thông tin cá nhân)',
  sendFeedback: 'Gửi đánh giá',
  cancel: 'Huỷ',
  thanks: 'Cảm ơn bạn đã góp ý! Cán bộ sẽ dùng góp ý này để cải thiện câu trả lời.',
  feedbackFailed: 'Chưa gửi được đánh giá. Vui lòng thử lại.',
  privacyTitle: 'Trước khi hỏi',
  privacy:
    'Câu hỏi của bạn được lưu lại (đã tự động xoá số điện thoại, số CCCD, email) để cán bộ Sở Nông nghiệp và Môi trường cải thiện câu trả lời. Đừng nhập họ tên, số điện thoại, số CCCD.',
  privacyMore: 'Tìm hiểu thêm về quyền riêng tư',
  privacyOk: 'Tôi đã hiểu',
  privacyLink: 'Quyền riêng tư',
  footer: 'Trả lời dựa trên tài liệu có nguồn; hãy đọc nguồn trước khi làm theo.',
  answerAnnounce: (text: string, sources: number) => `Trợ lý trả lời: ${text}${sources ? ` Có ${sources} nguồn bên dưới.` : ''}`,
  defClose: 'Đóng giải thích',
  tabs: 'Hỏi đáp hoặc ôn tập',
  tabChat: 'Hỏi đáp',
  tabQuiz: 'Ôn tập',
  quizLoading: 'Đang tải phần Ôn tập…',
  quizFailed: 'Chưa tải được phần Ôn tập. Hãy kiểm tra kết nối mạng rồi thử lại.',
};
