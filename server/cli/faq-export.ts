import { existsSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { stringify } from 'yaml';
import { loadConfig, ROOT } from '../config.ts';
import { CURATED_FAQ_FILE, CorpusError, loadCorpus } from '../corpus/index.ts';
import { Faq } from '../corpus/schema.ts';
import { openDatabase } from '../index/db.ts';
import { openStateDatabase } from '../store/index.ts';
import { ensureReviewTables } from '../review/db.ts';
import { curatedEntry, listCurated } from '../review/curated.ts';

/**
 * `npm run faq:export`: the published curated answers of the staff console → corpus/faq/curated.yaml, in the
 * corpus FAQ schema with `curatedBy`, so they enter version control and survive a lost database.
 */
const config = loadConfig();
const index = openDatabase(config.dataDir);
const state = await openStateDatabase(config.databaseUrl, index);
await ensureReviewTables(state);
const entries = (await listCurated(state, 'published')).sort((a, b) => a.n - b.n).map(curatedEntry);
await state.close();
index.close();

const target = join(config.corpusDir, 'faq', CURATED_FAQ_FILE);
const shown = relative(ROOT, target) || target;
if (!entries.length && !existsSync(target)) {
  console.log('Chưa có giải đáp nào đang dùng; không ghi tệp.');
  process.exit(0);
}

const parsed = Faq.safeParse(entries);
if (!parsed.success) {
  console.error(`Giải đáp không đúng định dạng hỏi đáp của corpus:\n- ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n- ')}`);
  process.exit(1);
}

const header = [
  '# Giải đáp của Sở Nông nghiệp và Môi trường, do cán bộ viết trong trang quản trị (/admin).',
  '# Tệp này do `npm run faq:export` ghi ra: hãy sửa giải đáp trong trang quản trị rồi xuất lại, đừng sửa tay.',
  '',
].join('\n');
const previous = existsSync(target) ? readFileSync(target, 'utf8') : null;
writeFileSync(target, `${header}${stringify(entries, { lineWidth: 0 })}`);

// the corpus must still load (sources resolve, ids unique); otherwise the old file comes back
try {
  loadCorpus(config.corpusDir);
} catch (e) {
  if (previous === null) unlinkSync(target);
  else writeFileSync(target, previous);
  console.error(e instanceof CorpusError ? e.message : String(e));
  process.exit(1);
}
console.log(`Đã ghi ${entries.length} giải đáp vào ${shown}.`);
