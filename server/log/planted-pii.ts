/**
 * Personal values in the forms the security review planted (shared/reviews/security-review.md, V4 and its
 * addendum): what people really type, and what an attacker types to slip past a redactor. Used by the
 * redaction test and by `bench/pii.ts`.
 */
export const PLANTED_PII: { kind: string; value: string }[] = [
  // mobile (38)
  ...[
    '0912 345 678', '0912345678', '0912-345-678', '0912.345.678', '+84 912 345 678', '+84912345678', '84 912 345 678',
    '0084 913 020 106', '(0912) 345 678', '0912\u200c345\u200c679', '0912\u2060345\u2060670', '09\u00ad12\u00ad345\u00ad671',
    '0912\u200b345\u200b672', '0912/345/673', '0912_345_674', '0912,345,675', '0912–345–676', '0912    345    677',
    '0913—345—678', '０９１２３４５６８８', '０９１２ ３４５ ６８９', '٠٩١٢٣٤٥٦٩٠', '𝟎𝟗𝟏𝟐𝟑𝟒𝟓𝟔𝟗𝟏', '०९१२३४५६९२', '09１２345６93',
    '0\u03019\u03011\u03012\u03013\u03014\u03015\u03016\u03019\u03014\u0301', '913 050 265', '0912\u00a0345\u00a0695',
    '0987 654 321', '0368-123-456', '0703.456.789', '0888 999 111', '+84 (0) 912 345 696', '0912 345 697 - 2',
    'sdt0912345698', '0912345699x', '0914 345 6 78', '0915 345 678 (41)',
  ].map((value) => ({ kind: 'mobile', value })),
  // landline (5)
  ...['024 3825 1234', '(024) 3825 1235', '0212 3852 123', '0212.3852.124', '3852 2236'].map((value) => ({ kind: 'landline', value })),
  // CCCD (10)
  ...[
    '079203012345', '079 203 012 346', '079.203.012.347', '079-203-012-348', '０７９２０３０１２３４９', '079\u200c203\u200c012\u200c350',
    '079/203/012/351', '٠٧٩٢٠٣٠١٢٣٥٢', '079203012353 (41)', '001099012346',
  ].map((value) => ({ kind: 'cccd', value })),
  // CMND, 9 digits (3)
  ...['123456789', '123 456 782', '123.456.783'].map((value) => ({ kind: 'cmnd', value })),
  // e-mail (17)
  ...[
    'nguyen.van.an@gmail.com', 'ho.ten+cnsh@sonla.gov.vn', 'lan.tran @ gmail.com', 'hoa.le(at)gmail.com', 'minh.pham[at]yahoo[dot]com',
    'lan.nguyen＠gmail.com', 'quan.ly@localhost', 'thu.vo%40gmail.com', 'tuan.do@gm\u200bail.com', 'hai.bui@gm\u00adail.com',
    'ngoc.ly@gmail,com', 'son.ha@gmail . com', 'an.vu\u200c@gmail.com', 'mai.dang@outlook.com.vn', 'khanh.ng@sonla.edu.vn',
    'long_ng@hotmail.com', 'TRANG.LE@GMAIL.COM',
  ].map((value) => ({ kind: 'email', value })),
  // bank and card (9)
  ...[
    '1903 5678 9012 35', '0071 0012 34567', '0011 0023 45678', '12345678', '4111 1111 1111 1111', '5500-0000-0000-0004',
    '１９０３４５６７８９０１２', '1903456789012', '0491 000 123 456',
  ].map((value) => ({ kind: 'bank', value })),
];

/** What must not be found of a planted value: its digits (last eight), or an e-mail's name before the "@". */
export function tellTale(value: string): string {
  const plain = value.normalize('NFKC').replace(/[\p{Cf}\u00AD]/gu, '').replace(/\p{M}/gu, '');
  const digits = [...plain].map((c) => (/\p{Nd}/u.test(c) ? String(asciiDigit(c)) : /\d/.test(c) ? c : '')).join('');
  if (/@|%40|\(at\)|\[at\]/i.test(plain)) return plain.split(/\s*(?:@|%40|\(at\)|\[at\])/i)[0]!.toLowerCase();
  return digits.slice(-8);
}

function asciiDigit(c: string): number {
  let n = 0;
  const cp = c.codePointAt(0)!;
  while (n < 64 && /\p{Nd}/u.test(String.fromCodePoint(cp - n - 1))) n++;
  return n % 10;
}

/** A stored text as digits and lower-case letters only, the way tellTale() values are compared. */
export function plainForSearch(text: string): string {
  return [...text.normalize('NFKC').replace(/[\p{Cf}\u00AD]/gu, '').replace(/\p{M}/gu, '')]
    .map((c) => (/\p{Nd}/u.test(c) ? String(asciiDigit(c)) : c))
    .join('')
    .toLowerCase();
}
