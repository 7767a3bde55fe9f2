import { fold } from '../text/index.ts';

/**
 * Requests the assistant never serves, whatever the corpus says: instructions aimed at the system, secrets,
 * weapons and poisoning of people. (Self-harm is not refused here: server/understand answers it with care.)
 */
const UNSAFE = [
  /bỏ qua (mọi |tất cả |các )?(hướng dẫn|chỉ dẫn|lệnh)/,
  /ignore (all |any |the )?(previous|prior|above)/,
  /system prompt|prompt hệ thống|jailbreak/,
  /mật khẩu|password|api[ _-]?key/,
  /mã độc|malware|virus máy tính|hack/,
  /(chế tạo|làm|tạo ra) (khí độc|bom|chất nổ|thuốc nổ)|đầu độc|giết người|hại người|gây hại cho người/,
];

/** the same patterns without diacritics, for questions typed without them */
const UNSAFE_FOLDED = UNSAFE.map((re) => new RegExp(fold(re.source)));

export function isUnsafe(question: string): boolean {
  const q = question.normalize('NFC').toLowerCase();
  const f = fold(q);
  return UNSAFE.some((re, i) => re.test(q) || re.test(f) || UNSAFE_FOLDED[i]!.test(f));
}
