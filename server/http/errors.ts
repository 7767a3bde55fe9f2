import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** Every error is JSON `{ error: { code, message } }` with a Vietnamese, human-readable message. */
export const ERRORS = {
  bad_json: [400, 'Nội dung gửi lên không phải JSON hợp lệ. Vui lòng thử lại.'],
  invalid: [400, 'Yêu cầu không hợp lệ.'],
  empty_message: [400, 'Bạn chưa nhập câu hỏi. Hãy gõ câu hỏi rồi gửi lại.'],
  too_long: [413, 'Câu hỏi quá dài. Vui lòng rút gọn dưới 1.500 ký tự.'],
  body_too_large: [413, 'Nội dung gửi lên quá lớn (tối đa 16 KB).'],
  not_json: [415, 'Yêu cầu phải gửi dạng JSON (Content-Type: application/json).'],
  rate_limited: [429, 'Bạn gửi quá nhiều câu hỏi trong thời gian ngắn. Vui lòng chờ một chút rồi thử lại.'],
  busy: [503, 'Hệ thống đang bận trả lời nhiều người. Vui lòng thử lại sau ít giây.'],
  not_found: [404, 'Không tìm thấy trang hoặc dữ liệu bạn cần.'],
  unknown_message: [404, 'Không tìm thấy câu trả lời này để ghi nhận góp ý.'],
  not_ready: [503, 'Hệ thống đang khởi động, vui lòng thử lại sau ít giây.'],
  forbidden_origin: [403, 'Trang web này chưa được phép nhúng trợ lý.'],
  internal: [500, 'Đã có lỗi phía máy chủ. Vui lòng thử lại sau.'],
} as const satisfies Record<string, [number, string]>;

export type ErrorCode = keyof typeof ERRORS;

export function errorBody(code: ErrorCode, message?: string) {
  return { error: { code, message: message ?? ERRORS[code][1] } };
}

export function fail(c: Context, code: ErrorCode, message?: string, headers?: Record<string, string>) {
  return c.json(errorBody(code, message), ERRORS[code][0] as ContentfulStatusCode, headers);
}
