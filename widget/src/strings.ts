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
  // a no-break space keeps "Sơn La" together on a narrow phone
  citizen: 'Công nghệ sinh học bảo vệ môi trường · Sơn\u00a0La',
  student: 'Góc học tập Sinh học 10',
};

export const T = {
  launcher: 'Hỏi trợ lý',
  title: 'Trợ lý hỏi đáp',
  close: 'Đóng trợ lý',
  newChat: 'Cuộc trò chuyện mới',
  newChatShort: 'Trò chuyện mới',
  cleared: 'Đã xóa cuộc trò chuyện.',
  undo: 'Hoàn tác',
  restored: 'Đã khôi phục cuộc trò chuyện.',
  transcript: 'Cuộc trò chuyện',
  you: 'Bạn hỏi:',
  bot: 'Trợ lý trả lời:',
  tryAsking: 'Bạn có thể hỏi:',
  followUps: 'Hỏi tiếp:',
  inputLabel: 'Câu hỏi của bạn',
  placeholder: 'Ví dụ: ủ phân chuồng thế nào cho mau hoai?',
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
  cancel: 'Hủy',
  thanks: 'Cảm ơn bạn đã góp ý! Cán bộ sẽ dùng góp ý này để cải thiện câu trả lời.',
  feedbackFailed: 'Chưa gửi được đánh giá. Vui lòng thử lại.',
  privacyTitle: 'Trước khi hỏi',
  privacyShort: 'Câu hỏi được lưu để cải thiện trợ lý. Đừng nhập họ tên, số điện thoại, số CCCD.',
  privacyDetails: 'Chi tiết',
  privacy:
    'Câu hỏi của bạn được lưu lại (đã tự động xóa số điện thoại, số CCCD, email) để cán bộ Sở Nông nghiệp và Môi trường cải thiện câu trả lời.',
  privacyMore: 'Đọc trang Quyền riêng tư',
  privacyOk: 'Đã hiểu',
  privacyLink: 'Quyền riêng tư',
  footer: 'Trả lời dựa trên tài liệu có nguồn; hãy đọc nguồn trước khi làm theo.',
  answerAnnounce: (text: string, sources: number) => `Trợ lý trả lời: ${text}${sources ? ` Có ${sources} nguồn bên dưới.` : ''}`,
  defClose: 'Đóng giải thích',
  more: 'Xem thêm',
  less: 'Thu gọn',
  uncertain: 'Câu trả lời này có thể chưa đúng ý bạn. Hãy hỏi lại rõ hơn, hoặc bấm 👎 để cán bộ xem lại.',
  clarifyChoices: 'Bạn muốn hỏi:',
  back: 'Quay lại cuộc trò chuyện',
  readerLoading: 'Đang mở tài liệu…',
  readerFailed: 'Chưa mở được tài liệu. Bạn có thể mở trang nguồn đầy đủ.',
  readerFull: 'Mở trang nguồn đầy đủ',
  basis: 'Căn cứ:',
  readerCited: 'Đoạn được trích',
  read: 'Đọc',
  readStop: 'Dừng đọc',
  readLabel: 'Đọc to câu trả lời',
  onlineVoice: 'Giọng đọc trực tuyến: nội dung được gửi đi (Edge gửi tới Microsoft).',
  tabs: 'Hỏi đáp hoặc ôn tập',
  tabChat: 'Hỏi đáp',
  tabQuiz: 'Ôn tập',
  quizLoading: 'Đang tải phần Ôn tập…',
  quizFailed: 'Chưa tải được phần Ôn tập. Hãy kiểm tra kết nối mạng rồi thử lại.',
};
