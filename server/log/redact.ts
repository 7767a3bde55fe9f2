/**
 * Personal data is removed from a question before anything is stored: phone numbers (mobile, landline,
 * +84), 12-digit citizen-ID numbers, emails and other long digit runs. Years ("năm 2025") and document
 * numbers ("QĐ 1639") stay: they are what the question is about.
 */
const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/gu;
/** digits with the separators people put in phone numbers ("0912 345 678", "(024) 3825 1234", "+84 912.345.678"), also glued to words ("sdt0912345678") */
const DIGIT_RUN = /(?<!\p{N})\(?\+?\d(?:\d|[ .\-()]{1,3}(?=\d))*\d(?!\p{N})/gu;

export const REDACTED = {
  email: '[email đã ẩn]',
  phone: '[số điện thoại đã ẩn]',
  id: '[số CCCD đã ẩn]',
  number: '[dãy số đã ẩn]',
} as const;

function redactDigits(run: string): string {
  const digits = run.replace(/\D/g, '');
  const compact = !/[ .\-()]/.test(run);
  const start = run.replace(/^\(/, '');
  const phoneLike = /^\+?84/.test(start) || start.startsWith('0');
  if (digits.length === 12 && start.startsWith('0')) return REDACTED.id;
  if (phoneLike && digits.length >= 9 && digits.length <= 12) return REDACTED.phone;
  if (compact && digits.length >= 9) return REDACTED.number;
  return run;
}

export function redact(text: string): string {
  // the e-mail pattern backtracks over every word of a long text: look for its "@" first
  const withoutEmail = text.includes('@') ? text.replace(EMAIL, REDACTED.email) : text;
  return withoutEmail.replace(DIGIT_RUN, redactDigits);
}
