import { describe, expect, it } from 'vitest';
import { REDACTED, redact } from './redact.ts';

describe('redact: personal data never reaches the question log', () => {
  const removed: [string, string, string][] = [
    ['mobile with spaces', 'Gọi tôi theo số 0912 345 678 nhé', REDACTED.phone],
    ['mobile compact', 'sđt 0912345678', REDACTED.phone],
    ['mobile with dashes', 'liên hệ 0912-345-678', REDACTED.phone],
    ['+84 with dots', 'số của tôi +84 912.345.678', REDACTED.phone],
    ['+84 compact', 'zalo +84912345678', REDACTED.phone],
    ['84 without plus', 'zalo 84 912 345 678', REDACTED.phone],
    ['12-digit CCCD', 'CCCD của tôi là 079203012345', REDACTED.id],
    ['CCCD in groups', 'CCCD 079 203 012 345', REDACTED.id],
    ['Hà Nội landline', 'máy bàn 024 3825 1234', REDACTED.phone],
    ['landline with dots', 'máy bàn 024.3825.1234', REDACTED.phone],
    ['landline with area code in parentheses', 'gọi (024) 3825 1234 giờ hành chính', REDACTED.phone],
    ['Sơn La landline', 'số 0212 3852 123', REDACTED.phone],
    ['mobile in parentheses', 'gọi (0912) 345 678', REDACTED.phone],
    ['mobile glued to a word', 'sdt0912345678 nhé', REDACTED.phone],
    ['mobile glued on both sides', 'số0912345678x', REDACTED.phone],
    ['old 9-digit CMND', 'CMND 123456789', REDACTED.number],
    ['bank account', 'tài khoản 1903456789012', REDACTED.number],
    ['email', 'gửi vào nguyen.van.an@gmail.com giúp em', REDACTED.email],
    ['email with Vietnamese domain', 'hộp thư ho.ten+cnsh@sonla.gov.vn', REDACTED.email],
    ['a number followed by another (review addendum)', 'CCCD 079203012345 (41)', REDACTED.id],
    ['a phone and a count after a spaced dash', 'gọi 0912 345 678 - 2 lần', REDACTED.phone],
    ['fullwidth digits', 'liên hệ ０９１２３４５６７８', REDACTED.phone],
    ['0084 prefix', 'số 0084 913 020 106', REDACTED.phone],
    ['spaced card number', 'thẻ 4111 1111 1111 1111', REDACTED.number],
  ];

  it.each(removed)('%s: the number or address is gone', (_name, text, marker) => {
    const out = redact(text);
    expect(out).toContain(marker);
    const digits = text.replace(/\D/g, '');
    if (digits.length >= 9) expect(out.replace(/\D/g, '')).not.toContain(digits.slice(-6));
    expect(out).not.toMatch(/@\w/);
  });

  const kept = [
    'Kế hoạch năm 2025 có gì mới?',
    'QĐ 1639 nói gì về công nghệ sinh học?',
    'Quyết định số 1639/QĐ-TTg ngày 19/10/2020',
    'giai đoạn 2021-2030',
    'giai đoạn 2021 - 2030, tầm nhìn 2045',
    'hầm biogas 12.500 m³',
    'ngày 12.11.2024',
    'kinh phí 1.500.000.000 đồng',
    'tỷ lệ 0,5% và 95%',
    'pha 1 lít chế phẩm với 200 lít nước',
    'Nghị định 08/2022/NĐ-CP',
    'Điều 57 Luật Bảo vệ môi trường 2020',
    'tổng đài 1900 1234',
    'ngày 15/11/2021, 20/12/2022',
    'giai đoạn 2021-2025/2026-2030',
    'kinh phí 150.000.000 đồng',
    'các năm 2021, 2022, 2023 và 2024',
    'mật độ 10⁸ CFU/g, 1.250 m³',
  ];

  it.each(kept)('"%s" is left as it is', (text) => {
    expect(redact(text)).toBe(text);
  });
});
