/**
 * The starter questions every channel offers (the widget's chips, the decline message, a Zalo or Messenger
 * welcome). Plain data with no imports, so the widget bundles it without pulling in the server's schemas.
 */
export const STARTERS: Record<'citizen' | 'student', string[]> = {
  citizen: [
    'Đệm lót sinh học là gì?',
    'Làm sao vận hành hầm biogas an toàn?',
    'Rác hữu cơ trong nhà xử lý thế nào?',
    'Kế hoạch của tỉnh giao Sở Nông nghiệp và Môi trường nhiệm vụ gì?',
  ],
  student: [
    'Vi sinh vật phân giải hiếu khí và kị khí khác nhau thế nào?',
    'Khí sinh học được tạo ra như thế nào?',
    'Vi sinh vật xử lí nước thải ra sao?',
    'Làm dự án điều tra công nghệ xử lí ô nhiễm ở địa phương thế nào?',
  ],
};
