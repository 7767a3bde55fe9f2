import { userInfo } from 'node:os';
import { loadConfig } from '../config.ts';
import { openDatabase } from '../index/db.ts';
import { openStateDatabase } from '../store/index.ts';
import { audit, ensureReviewTables } from '../review/db.ts';
import { addStaff, listStaff, ROLE_LABEL, setDisabled, setPassword, StaffError, type Role } from '../review/staff.ts';

/**
 * `npm run staff -- add <tên> [--role admin|reviewer]`, `list`, `disable <tên>`, `enable <tên>`, `reset <tên>`.
 * The password comes from a hidden prompt, or from STAFF_PASSWORD for scripts. There is no default account.
 */
const USAGE = `Cách dùng:
  npm run staff -- add <tên-đăng-nhập> [--role admin|reviewer]   tạo tài khoản (mặc định: reviewer)
  npm run staff -- list                                          liệt kê tài khoản
  npm run staff -- disable <tên-đăng-nhập>                       khóa tài khoản, đăng xuất mọi phiên
  npm run staff -- enable <tên-đăng-nhập>                        mở khóa tài khoản
  npm run staff -- reset <tên-đăng-nhập>                         đặt mật khẩu mới, đăng xuất mọi phiên
Mật khẩu được hỏi (không hiện khi gõ), hoặc lấy từ biến môi trường STAFF_PASSWORD.`;

/** Reads a line from the terminal without echoing it. */
function promptHidden(question: string): Promise<string> {
  const input = process.stdin;
  if (!input.isTTY) return Promise.reject(new StaffError('Không có bàn phím để nhập mật khẩu: hãy đặt biến môi trường STAFF_PASSWORD.'));
  process.stderr.write(question);
  input.setRawMode(true);
  input.setEncoding('utf8');
  input.resume();
  let value = '';
  return new Promise((resolve, reject) => {
    const finish = () => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      process.stderr.write('\n');
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') {
          finish();
          return resolve(value);
        }
        if (ch === '\u0003' || ch === '\u0004') {
          finish();
          return reject(new StaffError('Đã hủy.'));
        }
        if (ch === '\u007f' || ch === '\b') value = [...value].slice(0, -1).join('');
        else value += ch;
      }
    };
    input.on('data', onData);
  });
}

async function newPassword(): Promise<string> {
  const fromEnv = process.env.STAFF_PASSWORD;
  if (fromEnv) return fromEnv;
  const first = await promptHidden('Mật khẩu (ít nhất 12 ký tự): ');
  const again = await promptHidden('Nhập lại mật khẩu: ');
  if (first !== again) throw new StaffError('Hai lần nhập mật khẩu không giống nhau.');
  return first;
}

const args = process.argv.slice(2);
const command = args[0];
const name = args[1] && !args[1].startsWith('--') ? args[1] : '';
const roleAt = args.indexOf('--role');
const role = (roleAt >= 0 ? args[roleAt + 1] : 'reviewer') as Role;

const config = loadConfig();
// the same state the servers use: DATABASE_URL when set, otherwise the SQLite file in DATA_DIR
const index = openDatabase(config.dataDir);
const db = await openStateDatabase(config.databaseUrl, index);
const who = `cli:${userInfo().username}`;
const date = (ms: number | null) => (ms ? new Date(ms).toLocaleString('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh' }) : '—');

try {
  await ensureReviewTables(db);
  if (command === 'add' && name) {
    const staff = await addStaff(db, name, await newPassword(), role);
    await audit(db, { username: who, action: 'staff:add', target: staff.username, detail: staff.role });
    console.log(`Đã tạo tài khoản "${staff.username}" (${ROLE_LABEL[staff.role]}).`);
  } else if (command === 'list') {
    const all = await listStaff(db);
    if (!all.length) console.log('Chưa có tài khoản nào. Tạo tài khoản đầu tiên: npm run staff -- add <tên> --role admin');
    for (const s of all)
      console.log([s.username.padEnd(20), ROLE_LABEL[s.role].padEnd(14), (s.disabled ? 'đã khóa' : 'đang dùng').padEnd(10), `đăng nhập gần nhất: ${date(s.lastLoginAt)}`].join(' '));
  } else if ((command === 'disable' || command === 'enable') && name) {
    const staff = await setDisabled(db, name, command === 'disable');
    await audit(db, { username: who, action: command === 'disable' ? 'staff:disable' : 'staff:enable', target: staff.username });
    console.log(command === 'disable' ? `Đã khóa "${staff.username}" và đăng xuất mọi phiên.` : `Đã mở khóa "${staff.username}".`);
  } else if (command === 'reset' && name) {
    const staff = await setPassword(db, name, await newPassword());
    await audit(db, { username: who, action: 'staff:reset', target: staff.username });
    console.log(`Đã đặt mật khẩu mới cho "${staff.username}"; mọi phiên đăng nhập cũ đã kết thúc.`);
  } else {
    console.error(USAGE);
    process.exitCode = 2;
  }
} catch (e) {
  if (!(e instanceof StaffError)) throw e;
  console.error(e.message);
  process.exitCode = 1;
} finally {
  await db.close();
  index.close();
}
