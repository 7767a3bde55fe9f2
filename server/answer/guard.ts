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
  // not a bare "hại người": typed without marks it is "hai người" (two people)
  /(chế tạo|làm|tạo ra) (khí độc|bom|chất nổ|thuốc nổ)|đầu độc|giết người|gây hại cho người/,
];

/** Whole words only: "phải người" holds "hai người", "khack" is no "hack". */
const whole = (source: string) => new RegExp(`(?<![\\p{L}\\p{N}])(?:${source})(?![\\p{L}\\p{N}])`, 'u');
const UNSAFE_WORDS = UNSAFE.map((re) => whole(re.source));
/** the same patterns without diacritics, for questions typed without them */
const UNSAFE_FOLDED = UNSAFE.map((re) => whole(fold(re.source)));

export function isUnsafe(question: string): boolean {
  const q = question.normalize('NFC').toLowerCase();
  const f = fold(q);
  return UNSAFE_WORDS.some((re, i) => re.test(q) || re.test(f) || UNSAFE_FOLDED[i]!.test(f));
}
