import { STARTERS } from '../starters.ts';

/** What the messenger channels say besides answers: one voice for Zalo and Messenger. */
export const CHANNEL_TEXT = {
  welcome: [
    'Xin chào! Đây là trợ lý tự động của Hỏi đáp CNSH: máy trả lời, dựa trên tài liệu có nguồn, các câu hỏi về công nghệ sinh học trong bảo vệ môi trường (chế phẩm sinh học, hầm biogas, đệm lót, ủ phân, xử lý rác và nước thải) và Kế hoạch của tỉnh Sơn La.',
    'Câu nào trợ lý chưa trả lời được sẽ được chuyển tới cán bộ Sở Nông nghiệp và Môi trường. Xin đừng gửi họ tên, số điện thoại hay số CCCD.',
    ['Bạn có thể hỏi:', ...STARTERS.citizen.map((q) => `• ${q}`)].join('\n'),
  ].join('\n\n'),
  unreadable: `Xin lỗi, trợ lý tự động hiện chỉ đọc được tin nhắn chữ (chưa đọc được ảnh, nhãn dán, tin thoại hay vị trí). Bạn hãy gõ câu hỏi, ví dụ: “${STARTERS.citizen[0]}”`,
  empty_message: `Trợ lý chưa thấy câu hỏi trong tin nhắn. Bạn hãy gõ câu hỏi, ví dụ: “${STARTERS.citizen[0]}”`,
  too_long: 'Câu hỏi dài quá (tối đa 1.500 ký tự). Bạn hãy rút gọn rồi gửi lại nhé.',
  rateLimited: (seconds: number) => `Bạn gửi nhiều tin liên tiếp quá. Vui lòng chờ khoảng ${seconds} giây rồi hỏi tiếp.`,
  failed: 'Xin lỗi, trợ lý đang gặp sự cố nên chưa trả lời được. Bạn vui lòng hỏi lại sau ít phút.',
  staffIntro: 'Cán bộ Sở Nông nghiệp và Môi trường trả lời câu hỏi bạn đã gửi:',
} as const;

/** A channel's name as staff read it in the queue. */
export const CHANNEL_LABEL: Record<string, string> = { zalo: 'Zalo', messenger: 'Messenger', cli: 'dòng lệnh' };
