/** Everything the assistant says in its own words (not quoted from the corpus), per asker; starters: ../starters.ts. */

import type { Audience } from '../contract.ts';

/** What the assistant can help with, said the same way in every decline. */
const CAN_HELP: Record<Audience, string> = {
  citizen:
    'Tôi có thể giúp về chế phẩm sinh học, hầm biogas, đệm lót sinh học, ủ phân, phân bón và thuốc sinh học, xử lý rác và nước thải, và Kế hoạch phát triển công nghiệp sinh học của tỉnh Sơn La.',
  student:
    'Mình có thể giúp bạn về vi sinh vật phân giải, khí sinh học, xử lí nước thải và chất thải rắn, dự án điều tra ở địa phương, và Kế hoạch của tỉnh Sơn La.',
};

export type DeclineReason = 'empty' | 'unsafe' | 'out-of-scope' | 'unsupported';

const DECLINE: Record<DeclineReason, Record<Audience, string>> = {
  empty: {
    citizen: 'Bạn hãy nhập câu hỏi về công nghệ sinh học trong bảo vệ môi trường, ví dụ một trong các gợi ý dưới đây.',
    student: 'Bạn hãy gõ câu hỏi về công nghệ sinh học và môi trường nhé, ví dụ một trong các gợi ý dưới đây.',
  },
  unsafe: {
    citizen: 'Xin lỗi, tôi không thể giúp yêu cầu này.',
    student: 'Xin lỗi bạn, mình không thể giúp yêu cầu này.',
  },
  // not the corpus's subject: nothing is forwarded, so nothing is promised
  'out-of-scope': {
    citizen: 'Xin lỗi, câu này nằm ngoài những gì tôi biết.',
    student: 'Xin lỗi bạn, câu này nằm ngoài những gì mình biết.',
  },
  // the corpus's subject, but no passage answers it: it goes to the staff queue, and says so
  unsupported: {
    citizen: 'Xin lỗi, tài liệu hiện có chưa trả lời được câu này. Câu hỏi đã được chuyển tới cán bộ Sở Nông nghiệp và Môi trường để bổ sung.',
    student: 'Xin lỗi bạn, tài liệu của mình chưa trả lời được câu này. Mình đã chuyển câu hỏi tới cán bộ phụ trách để bổ sung.',
  },
};

export function declineText(reason: DeclineReason, audience: Audience): string {
  const head = DECLINE[reason][audience];
  return reason === 'empty' ? head : `${head} ${CAN_HELP[audience]}`;
}

/** Despair or self-harm: care and the emergency numbers first; never the staff-forwarding text. */
export function distressText(audience: Audience): string {
  return audience === 'student'
    ? 'Mình rất tiếc khi bạn đang thấy như vậy, và mình lo cho bạn. Nếu bạn đang gặp nguy hiểm hay có ý định làm hại bản thân, hãy gọi ngay 115 (cấp cứu). Bạn cũng có thể gọi 111, Tổng đài quốc gia bảo vệ trẻ em, miễn phí, để được lắng nghe và giúp đỡ. Hãy nói ngay với bố mẹ, thầy cô hoặc một người lớn bạn tin cậy ở gần bạn. Mình chỉ là trợ lý tự động, nhưng bạn không phải chịu chuyện này một mình.'
    : 'Tôi rất tiếc khi bạn đang thấy như vậy, và tôi lo cho bạn. Nếu bạn đang gặp nguy hiểm hay có ý định làm hại bản thân, hãy gọi ngay 115 (cấp cứu). Hãy nói ngay với một người thân hoặc người bạn tin cậy ở gần bạn. Tôi chỉ là trợ lý tự động, nhưng bạn không phải chịu chuyện này một mình.';
}

export function identityText(audience: Audience): string {
  return audience === 'student'
    ? `Mình là Hỏi đáp CNSH, trợ lý tự động (không phải người thật) của tỉnh Sơn La về công nghệ sinh học trong bảo vệ môi trường. Mình trả lời bằng câu chữ của tài liệu nguồn và ghi rõ nguồn. ${CAN_HELP.student}`
    : `Tôi là Hỏi đáp CNSH, trợ lý tự động (không phải người thật) của tỉnh Sơn La về công nghệ sinh học trong bảo vệ môi trường. Tôi trả lời bằng câu chữ của tài liệu nguồn và ghi rõ nguồn. ${CAN_HELP.citizen}`;
}

export function greetingText(audience: Audience): string {
  return audience === 'student'
    ? `Chào bạn! ${CAN_HELP.student} Bạn thử hỏi một câu dưới đây nhé.`
    : `Xin chào! ${CAN_HELP.citizen} Bạn thử hỏi một câu dưới đây nhé.`;
}

export function thanksText(audience: Audience): string {
  return audience === 'student' ? 'Không có gì đâu bạn. Bạn cần hỏi thêm gì cứ nhắn cho mình nhé.' : 'Không có gì ạ. Bạn cần hỏi thêm gì cứ nhắn nhé.';
}

/** A clarifying question back: the message names a topic but not what about it. */
export function clarifyText(topic: string | null): string {
  return topic ? `Bạn muốn hỏi gì về “${topic}”? Chọn một câu dưới đây, hoặc gõ rõ hơn điều bạn cần biết.` : 'Bạn hỏi về việc gì? Chọn một câu dưới đây, hoặc gõ rõ hơn điều bạn cần biết.';
}

/** What an attribute asked for is called, for "tài liệu chưa có thông tin về …". */
export const ASKED_ATTRIBUTE: Record<string, string> = {
  cost: 'giá hay chi phí',
  duration: 'thời gian',
  quantity: 'con số hay liều lượng cụ thể',
  'where-who': 'nơi hỏi, nơi mua hay người phụ trách',
};

/** The sources have the topic but not the attribute asked: say so, and who can tell. */
export function missingAttributeText(intent: string, audience: Audience): string {
  if (intent === 'brand')
    return audience === 'student'
      ? 'Tài liệu của mình không đánh giá hay xếp hạng nhãn hàng nào, nên mình không nói được loại nào tốt nhất. Nên chọn sản phẩm có nhãn ghi rõ tên, thành phần, cách dùng và nơi sản xuất, và hỏi thầy cô hoặc cán bộ khuyến nông.'
      : 'Tài liệu hiện có không đánh giá hay xếp hạng nhãn hàng nào, nên tôi không nói được loại nào tốt nhất. Nên chọn sản phẩm có nhãn ghi rõ tên, thành phần, cách dùng và nơi sản xuất, và hỏi cán bộ khuyến nông xã, phường hoặc Sở Nông nghiệp và Môi trường.';
  if (intent === 'contact')
    return 'Tài liệu hiện có không ghi số điện thoại hay địa chỉ liên lạc riêng của cán bộ nào. Bạn hãy hỏi Ủy ban nhân dân xã, phường nơi bạn ở, hoặc xem Cổng thông tin điện tử của tỉnh Sơn La.';
  const what = ASKED_ATTRIBUTE[intent] ?? 'điều này';
  const who =
    intent === 'cost' || intent === 'where-who'
      ? 'Bạn có thể hỏi cán bộ khuyến nông hoặc Ủy ban nhân dân xã, phường nơi bạn ở, hoặc Sở Nông nghiệp và Môi trường tỉnh Sơn La.'
      : 'Bạn có thể hỏi cán bộ khuyến nông xã, phường hoặc Sở Nông nghiệp và Môi trường tỉnh Sơn La; với sản phẩm, hãy làm theo nhãn.';
  return audience === 'student'
    ? `Tài liệu của mình chưa có thông tin về ${what} cho câu này. ${who.replace('Bạn có thể', 'Bạn có thể nhờ thầy cô hoặc')}`
    : `Tài liệu hiện có chưa có thông tin về ${what} cho câu này. ${who}`;
}

/** Before quotes that do not say yes or no to the very thing asked. */
export const NO_VERDICT = 'Tài liệu không nói thẳng “có” hay “không” cho đúng câu này; đây là điều tài liệu viết:';

/** Before the related passage in a reply that could not fill the asked attribute. */
export const RELATED = 'Điều tài liệu có:';

