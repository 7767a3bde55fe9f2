import { z } from 'zod';

/** The practice-question bank under corpus/quiz/ (see corpus/README.md). */

const nonEmpty = z.string().trim().min(1);
const slug = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'chỉ chữ thường không dấu, số và dấu -');

/** The topics of Chuyên đề 3 a round can be about, as students and teachers read them. */
export const TOPICS = {
  'vi-sinh-vat-phan-giai': 'Vi sinh vật phân giải chất hữu cơ',
  'xu-ly-nuoc-thai': 'Xử lí nước thải',
  'khi-sinh-hoc': 'Thu khí sinh học (biogas)',
  'chat-thai-ran': 'Chất thải rắn và ô nhiễm đất',
  'che-pham-va-ung-dung': 'Chế phẩm sinh học và ứng dụng',
  'du-an-dieu-tra': 'Dự án điều tra ở địa phương',
  'ke-hoach-tinh': 'Kế hoạch của tỉnh Sơn La',
} as const;
export type Topic = keyof typeof TOPICS;
export const Topic = z.enum(Object.keys(TOPICS) as [Topic, ...Topic[]]);

export const DIFFICULTIES = { de: 'Dễ', 'trung-binh': 'Trung bình', kho: 'Khó' } as const;
export const Difficulty = z.enum(['de', 'trung-binh', 'kho']);
export type Difficulty = z.infer<typeof Difficulty>;

export const QuizQuestion = z
  .object({
    id: slug,
    topic: Topic,
    difficulty: Difficulty,
    question: nonEmpty,
    /** the one correct option */
    answer: nonEmpty,
    /** wrong but plausible options; the order students see is shuffled */
    distractors: z.array(nonEmpty).length(3, 'mỗi câu có đúng 3 phương án nhiễu'),
    explanation: nonEmpty,
    /** the section every fact of the question comes from: heading text, or the plan's number */
    source: z.object({ docId: nonEmpty, section: nonEmpty }).strict(),
  })
  .strict();
export type QuizQuestion = z.infer<typeof QuizQuestion>;

export const QuizFile = z.array(QuizQuestion).min(1);
