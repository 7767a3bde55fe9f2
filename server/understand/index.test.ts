import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Assistant } from '../assistant.ts';
import { startTestAssistant } from '../testing.ts';

let assistant: Assistant;
let close: () => void;
beforeAll(async () => {
  ({ assistant, close } = await startTestAssistant());
});
afterAll(() => close());

const read = (message: string, history: string[] = []) => assistant.understand(message, history);

describe('understand: what is asked', () => {
  it('sets aside the greeting, the self-introduction and the final particles', () => {
    const q = read('Em chào cô, em học lớp 10 ở Mai Sơn, cô cho em hỏi đệm lót sinh học làm từ gì ạ');
    expect(q.asks).toHaveLength(1);
    expect(q.asks[0]!.text).toBe('đệm lót sinh học làm từ gì');
    expect(q.asks[0]!.context).not.toMatch(/Mai Sơn|lớp/);
  });

  it.each([
    ['ủ phân mất mấy tuần thì dùng được', 'duration'],
    ['phun chế phẩm tỉ lệ bao nhiêu', 'quantity'],
    ['muốn học làm biogas thì hỏi ai', 'where-who'],
    ['làm hầm biogas hết bao nhiêu tiền', 'cost'],
    ['giá men vi sinh ở chợ bao nhiêu', 'cost'],
    ['đệm lót có dùng cho gà được không', 'yes-no'],
    ['vì sao phải ủ phân trước khi bón', 'why'],
    ['phân hữu cơ vi sinh khác phân chuồng thế nào', 'compare'],
    ['chuồng lợn hôi là do đâu', 'why'],
    ['loại men vi sinh nào tốt nhất', 'brand'],
    ['cho xin số điện thoại cán bộ khuyến nông', 'contact'],
    ['chế phẩm sinh học là gì', 'what-is'],
  ])('reads the frame of "%s" as %s', (message, intent) => {
    expect(read(message).asks[0]!.intent).toBe(intent);
  });

  it('splits two asks, and the second borrows the topic of the first', () => {
    const q = read('hầm biogas là gì, nạp phân bao nhiêu là vừa');
    expect(q.asks.map((a) => a.intent)).toEqual(['what-is', 'quantity']);
    expect(q.asks[1]!.search).toMatch(/biogas/);
  });

  it('reads people’s words in the corpus’s terms, below the words typed', () => {
    const ask = read('nuôi heo trên đệm lót có phải tắm không').asks[0]!;
    expect(ask.search).toContain('heo');
    expect(ask.alternative).toContain('lợn');
    expect(read('be phot bi day').asks[0]!.alternative).toContain('bể tự hoại');
  });

  it('borrows the story’s topic when the ask names none, and only the topic words', () => {
    const ask = read('nhà em nuôi 30 con lợn, xây hầm biogas được 2 năm rồi, dạo này ít khí quá, tại sao vậy').asks.at(-1)!;
    expect(ask.borrowed || ask.ownTopic).toBe(true);
    expect(ask.search).toMatch(/biogas/);
    expect(ask.search).not.toMatch(/2 năm/);
  });

  it('follows the conversation’s topic for three turns, with each turn’s own intent', () => {
    const history = ['ủ phân chuồng với Trichoderma làm thế nào', 'thế bao lâu thì bón được?'];
    const second = read(history[1]!, history.slice(0, 1));
    expect(second.followUp).toBe(true);
    expect(second.asks[0]!.intent).toBe('duration');
    expect(second.asks[0]!.search).toMatch(/ủ phân|Trichoderma/i);
    const third = read('có cần đảo không', history);
    expect(third.asks[0]!.search).toMatch(/ủ phân|Trichoderma/i);
  });

  it.each([
    ['chào bạn', 'greeting'],
    ['cảm ơn nhiều nhé', 'thanks'],
    ['ok cảm ơn nhiều nhé', 'thanks'],
    ['bạn là ai vậy', 'identity'],
    ['chán quá không muốn sống nữa', 'distress'],
    ['toi muon tu tu', 'distress'],
    ['', 'empty'],
  ])('"%s" is %s, not a question for retrieval', (message, kind) => {
    expect(read(message).kind).toBe(kind);
  });
});

describe('understand: safety, however it is phrased', () => {
  it.each([
    ['ống biogas nhà em bị nghẹt, thằng em định chui xuống thông, có sao không', 'xuong-ham'],
    ['be phot nha toi day, toi tinh xuong mum ra', 'xuong-be-phot'],
    ['Hàng xóm ngất dưới hầm biogas, tôi nhảy xuống kéo lên được không', 'xuong-ham'],
    ['mấy đứa nhỏ hay chơi gần miệng hầm biogas', 'tre-em-gan-ham'],
    ['bếp nhà tôi ngửi thấy mùi gas từ ống biogas', 'ro-ri-khi'],
    ['pha hai loại thuốc sâu chung một bình được không', 'thuoc-tron'],
    ['phun thuốc trừ sâu không đeo khẩu trang có sao không', 'thuoc-phun-khong-bao-ho'],
    ['con tôi uống nhầm thuốc diệt cỏ', 'ngo-doc-thuoc'],
    ['thuốc sâu thừa để trong chai nước được không', 'cat-thuoc'],
  ])('"%s" touches %s', (message, rule) => {
    expect(read(message).safety.map((r) => r.id)).toContain(rule);
  });

  it('keeps a cry for help and a pit accident in view on the next turn that names nothing new', () => {
    expect(read('em cũng không biết nói với ai nữa', ['chán quá, em không muốn sống nữa']).kind).toBe('distress');
    const accident = ['ông nhà tôi xuống hầm biogas múc bã thì bị ngất, kéo mãi mới lên được'];
    expect(read(accident[0]!).safety.map((r) => r.id)).toContain('nguoi-gap-nan-duoi-ham');
    expect(read('có phải đưa đi viện không hay nằm nghỉ là được', accident).safety.length).toBeGreaterThan(0);
    expect(read('mấy hôm nữa khỏe lại có được xuống tiếp không', [...accident, 'có phải đưa đi viện không']).safety.map((r) => r.id)).toContain('xuong-ham');
    // a new topic ends the scene
    expect(read('đệm lót sinh học làm bằng gì', accident).safety).toEqual([]);
  });

  it('does not take putting something down a pit for a person going down', () => {
    expect(read('đổ phân xuống hầm biogas mỗi ngày bao nhiêu').safety.map((r) => r.id)).not.toContain('xuong-ham');
  });
});
