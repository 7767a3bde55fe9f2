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

  it('reads "có … không" with the verb between as a yes/no question', () => {
    expect(read('nuôi heo trên đệm lót có được tắm cho heo không').asks[0]!.intent).toBe('yes-no');
    expect(read('ao cá có nên thả thêm chế phẩm không').asks[0]!.intent).toBe('yes-no');
  });

  it('takes the ask after "không biết" and resolves "hầm đó" to the hầm the story named', () => {
    const q = read('nha minh nuoi lon, vo minh bao lam ham biogas nhung minh ko biet ham do hoat dong ra sao');
    expect(q.asks).toHaveLength(1);
    expect(q.asks[0]!.text).toBe('ham biogas hoat dong ra sao');
    expect(q.asks[0]!.intent).toBe('how-to');
  });

  it('does not take a bare function word for a topic: "do" is not "dơ", "dung lam" is not a topic pair', () => {
    expect(read('ham do hoat dong ra sao').asks[0]!.concepts).not.toContain('o-nhiem');
    expect(read('ham biogas hoat dong the nao').topic).toBe('ham biogas');
    // with its marks, the word still names its concept
    expect(read('chuồng dơ quá làm sao').asks[0]!.concepts).toContain('o-nhiem');
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

  it('does not take putting something down a pit for a person going down', () => {
    expect(read('đổ phân xuống hầm biogas mỗi ngày bao nhiêu').safety.map((r) => r.id)).not.toContain('xuong-ham');
    // the thing put may take several syllables
    expect(read('co nen do men vi sinh em vao be tu hoai khong').safety.map((r) => r.id)).not.toContain('xuong-be-phot');
    // …but "cho" lets a person in: "cho thằng bé xuống" is a person going down
    expect(read('em định cho thằng em xuống hầm biogas lấy cái xô').safety.map((r) => r.id)).toContain('xuong-ham');
  });
});
