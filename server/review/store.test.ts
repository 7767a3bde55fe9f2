import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends, testDatabase, type TestDatabase } from '../store/testing.ts';
import { ANONYMOUS_PER_MINUTE, audit, auditLog, forgetRemovedQuestions } from './db.ts';
import { verifyPassword } from './password.ts';
import { addNote, groupQuestions, LOW_CONFIDENCE, markQuestions, notesOf, queueItems, reviewItem } from './queue.ts';
import {
  ABSOLUTE_TIMEOUT_MS,
  clearAccountFailures,
  createSession,
  deleteSession,
  IDLE_TIMEOUT_MS,
  LOGIN_WINDOW_MS,
  MAX_FAILURES_PER_ACCOUNT,
  readSession,
  reserveSignIn,
  sameToken,
} from './session.ts';
import { findStaff, listStaff, setDisabled, setPassword, StaffError } from './staff.ts';
import { createStaff, giveTestFeedback, logTestQuestion, questionLogForTests, TEST_PASSWORD } from './testing.ts';

/** The console's stores, the same on the embedded SQLite file and on a shared PostgreSQL. */
describe.each(testBackends())('the review stores on %s', (dialect) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await testDatabase(dialect);
    await questionLogForTests(t.db);
  });
  afterAll(async () => t?.drop());

  describe('staff accounts', () => {
    it('adds an account under its lower-case name, with only a scrypt hash of the password', async () => {
      const made = await createStaff(t.db, 'Nguyen.Thi.Lan', 'admin');
      expect(made).toMatchObject({ username: 'nguyen.thi.lan', role: 'admin', disabled: false, lastLoginAt: null });
      const found = (await findStaff(t.db, 'NGUYEN.THI.LAN'))!;
      expect(found.id).toBe(made.id);
      expect(found.passwordHash).toMatch(/^scrypt\$/);
      expect(found.passwordHash).not.toContain(TEST_PASSWORD);
      expect(await verifyPassword(TEST_PASSWORD, found.passwordHash)).toBe(true);
      await expect(createStaff(t.db, 'nguyen.thi.lan')).rejects.toThrow('đã tồn tại');
      await expect(createStaff(t.db, 'ab')).rejects.toBeInstanceOf(StaffError);
      // two processes adding the same name at once: one account, one refusal
      const both = await Promise.allSettled([createStaff(t.db, 'cung.luc'), createStaff(t.db, 'cung.luc')]);
      expect(both.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      expect((await listStaff(t.db)).map((s) => s.username)).toEqual(['cung.luc', 'nguyen.thi.lan']);
    });

    it('disabling and a new password end every open session of the account', async () => {
      const staff = await createStaff(t.db, 'tran.van.binh');
      const one = await createSession(t.db, staff.id);
      expect((await readSession(t.db, one.token)).ok).toBe(true);
      await setDisabled(t.db, 'tran.van.binh', true);
      expect(await readSession(t.db, one.token)).toEqual({ ok: false, expired: false });
      expect((await listStaff(t.db)).find((s) => s.username === 'tran.van.binh')!.disabled).toBe(true);
      await setDisabled(t.db, 'tran.van.binh', false);

      const two = await createSession(t.db, staff.id);
      await setPassword(t.db, 'tran.van.binh', 'mot mat khau moi that dai');
      expect((await readSession(t.db, two.token)).ok).toBe(false);
      const hash = (await findStaff(t.db, 'tran.van.binh'))!.passwordHash;
      expect(await verifyPassword('mot mat khau moi that dai', hash)).toBe(true);
      expect(await verifyPassword(TEST_PASSWORD, hash)).toBe(false);
      await expect(setPassword(t.db, 'khong-co-ai', 'mot mat khau moi that dai')).rejects.toThrow('Không có tài khoản');
    }, 20_000);
  });

  describe('sessions', () => {
    it('a session holds its staff member and CSRF token; the database keeps only a digest of the cookie', async () => {
      const staff = await createStaff(t.db, 'phien.lam.viec');
      const now = Date.now();
      const { token, csrf } = await createSession(t.db, staff.id, now);
      const check = await readSession(t.db, token, now + 1000);
      expect(check.ok && check.session.staff.username).toBe('phien.lam.viec');
      expect(check.ok && sameToken(csrf, check.session.csrf)).toBe(true);
      expect(check.ok && sameToken('sai', check.session.csrf)).toBe(false);
      expect((await findStaff(t.db, 'phien.lam.viec'))!.lastLoginAt).toBe(now);
      const stored = await t.db.all<{ id_hash: string }>('SELECT id_hash FROM staff_sessions WHERE staff_id = ?', [staff.id]);
      expect(stored).toHaveLength(1);
      expect(stored[0]!.id_hash).not.toBe(token);
      expect((await readSession(t.db, 'khong-phai-phien-nao')).ok).toBe(false);
      await deleteSession(t.db, token);
      expect(await readSession(t.db, token, now + 2000)).toEqual({ ok: false, expired: false });
    });

    it('expires after 30 idle minutes (a touch keeps it alive) and after 8 hours in any case', async () => {
      const staff = await createStaff(t.db, 'het.han');
      const start = Date.now();
      const idle = await createSession(t.db, staff.id, start);
      expect((await readSession(t.db, idle.token, start + IDLE_TIMEOUT_MS - 1000)).ok).toBe(true);
      // touched just now: another 29 minutes are fine
      expect((await readSession(t.db, idle.token, start + 2 * IDLE_TIMEOUT_MS - 2000)).ok).toBe(true);
      expect(await readSession(t.db, idle.token, start + 3 * IDLE_TIMEOUT_MS)).toEqual({ ok: false, expired: true });
      // and it is gone, not only refused
      expect(await readSession(t.db, idle.token, start + 3 * IDLE_TIMEOUT_MS + 1)).toEqual({ ok: false, expired: false });

      const long = await createSession(t.db, staff.id, start);
      let at = start;
      while (at < start + ABSOLUTE_TIMEOUT_MS - IDLE_TIMEOUT_MS) expect((await readSession(t.db, long.token, (at += IDLE_TIMEOUT_MS - 60_000))).ok).toBe(true);
      expect(await readSession(t.db, long.token, start + ABSOLUTE_TIMEOUT_MS + 1)).toEqual({ ok: false, expired: true });
    });
  });

  describe('sign-in failures', () => {
    const keys = (address: string, account = 'nan.nhan') => ({ account, address, network: address.replace(/\.\d+$/, '.0') });

    it('five wrong passwords for an account from an address lock it for the window; one slip is free, then it waits', async () => {
      let now = Date.now();
      const k = keys('198.51.100.7');
      for (let i = 0; i < MAX_FAILURES_PER_ACCOUNT; i++) {
        const r = await reserveSignIn(t.db, k, now);
        expect('reservation' in r, `attempt ${i + 1}`).toBe(true);
        now += 60_000;
      }
      const locked = await reserveSignIn(t.db, k, now);
      expect('wait' in locked && locked.wait).toBeGreaterThan(60);
      // the owner elsewhere is not locked out
      expect('reservation' in (await reserveSignIn(t.db, keys('192.0.2.9'), now))).toBe(true);
      // the window passes
      expect('reservation' in (await reserveSignIn(t.db, k, now + LOGIN_WINDOW_MS))).toBe(true);
    });

    it('parallel guesses see each other: at most two get through before the progressive delay', async () => {
      const now = Date.now();
      const all = await Promise.all(Array.from({ length: 20 }, () => reserveSignIn(t.db, keys('203.0.113.20', 'song.song'), now)));
      expect(all.filter((r) => 'reservation' in r)).toHaveLength(2);
      const wait = all.find((r) => 'wait' in r) as { wait: number };
      expect(wait.wait).toBeGreaterThanOrEqual(1);
    });

    it('a released reservation counts for nothing, and a right password clears the account', async () => {
      const now = Date.now();
      const k = keys('203.0.113.30', 'dung.mat.khau');
      for (let i = 0; i < 2; i++) {
        const r = await reserveSignIn(t.db, k, now);
        if ('reservation' in r) await r.reservation.release();
      }
      expect('reservation' in (await reserveSignIn(t.db, k, now))).toBe(true);
      expect('reservation' in (await reserveSignIn(t.db, k, now))).toBe(true);
      expect('wait' in (await reserveSignIn(t.db, k, now))).toBe(true);
      await clearAccountFailures(t.db, 'dung.mat.khau');
      expect('reservation' in (await reserveSignIn(t.db, k, now))).toBe(true);
    });
  });

  describe('the audit log', () => {
    it('keeps every staff action, and anonymous events up to 60 a minute of a kind, the rest counted in one row', async () => {
      const minute = Date.UTC(2026, 11, 1, 3, 0, 0) + (dialect === 'sqlite' ? 0 : 3_600_000);
      await audit(t.db, { username: 'nguyen.thi.lan', action: 'staff:disable', target: 'tran.van.binh' }, minute);
      // from many requests at once
      await Promise.all(
        Array.from({ length: ANONYMOUS_PER_MINUTE + 25 }, (_, i) => audit(t.db, { username: null, action: 'csrf:refused', target: '/admin/giai-dap' }, minute + i)),
      );
      await Promise.all(Array.from({ length: 70 }, (_, i) => audit(t.db, { username: null, action: 'login:fail', ip: '198.51.100.1' }, minute + i)));
      const rows = await auditLog(t.db, { limit: 1000 });
      const refused = rows.filter((r) => r.action === 'csrf:refused');
      expect(refused).toHaveLength(ANONYMOUS_PER_MINUTE + 1);
      expect(refused.filter((r) => r.detail?.startsWith('Lược bớt')).map((r) => r.detail)).toEqual([
        `Lược bớt: thêm 25 sự kiện cùng loại trong phút này (quá ${ANONYMOUS_PER_MINUTE} một phút).`,
      ]);
      expect(rows.filter((r) => r.action === 'login:fail')).toHaveLength(70);
      expect(rows.find((r) => r.action === 'staff:disable')).toMatchObject({ username: 'nguyen.thi.lan', target: 'tran.van.binh', at: minute });
      // the next minute starts counting again
      await audit(t.db, { username: null, action: 'csrf:refused' }, minute + 60_000);
      expect((await auditLog(t.db, { limit: 1 }))[0]).toMatchObject({ action: 'csrf:refused', detail: null });
      // newest first, page by page
      const page = await auditLog(t.db, { limit: 10, before: rows[5]!.id });
      expect(page[0]!.id).toBe(rows[6]!.id);
      expect(page).toHaveLength(10);
    });
  });

  describe('the queue', () => {
    const now = Date.UTC(2026, 10, 20, 3, 0, 0);
    beforeAll(async () => {
      await logTestQuestion(t.db, { id: 'q-giun-1', text: 'Ở xã Chiềng Mai có ai dạy nuôi giun quế không?', site: 'cong-tinh', createdAt: now - 5000 });
      await logTestQuestion(t.db, { id: 'q-giun-2', text: 'Xã Chiềng Mai có ai dạy nuôi giun quế không ạ?', createdAt: now - 4000 });
      await logTestQuestion(t.db, { id: 'q-nam', text: 'Trồng nấm trên bã cà phê có cần giấy phép không?', audience: 'student', site: 'truong-thpt', createdAt: now - 3000 });
      await logTestQuestion(t.db, { id: 'q-dem-lot', text: 'Đệm lót sinh học là gì?', answered: true, confidence: 0.9, channel: 'zalo', createdAt: now - 2000 });
      await giveTestFeedback(t.db, 'q-dem-lot', false, 'Chưa nói cách làm');
      await giveTestFeedback(t.db, 'q-dem-lot', false, 'Cần ví dụ');
      await logTestQuestion(t.db, { id: 'q-thap', text: 'Chế phẩm EM ủ được bao lâu?', answered: true, confidence: LOW_CONFIDENCE - 0.01, createdAt: now - 1000 });
      // low confidence, but the answer given was a staff member's own: already reviewed
      await logTestQuestion(t.db, { id: 'q-gd', text: 'Hầm biogas có mùi là sao?', answered: true, confidence: LOW_CONFIDENCE - 0.01, cited: ['hoi-dap#gd-1-ham-biogas'], createdAt: now });
      // answered well, or small talk: never queued
      await logTestQuestion(t.db, { id: 'q-tot', text: 'Làm sao vận hành hầm biogas an toàn?', answered: true, confidence: 0.95, createdAt: now });
      await logTestQuestion(t.db, { id: 'q-chao', text: 'Xin chào', reason: 'smalltalk', createdAt: now });
    });
    const ids = async (filter: Parameters<typeof queueItems>[1] = {}) => (await queueItems(t.db, filter)).map((i) => i.id);

    it('holds declined, 👎 and low-confidence questions, newest first, with why and the comments', async () => {
      expect(await ids()).toEqual(['q-thap', 'q-dem-lot', 'q-nam', 'q-giun-2', 'q-giun-1']);
      const demLot = (await reviewItem(t.db, 'q-dem-lot'))!;
      expect(demLot).toMatchObject({ why: ['unhelpful'], unhelpful: 2, helpful: 0, channel: 'zalo', status: 'open', answered: true });
      expect(demLot.comments.sort()).toEqual(['Chưa nói cách làm', 'Cần ví dụ']);
      expect((await reviewItem(t.db, 'q-thap'))!.why).toEqual(['low-confidence']);
    });

    it('filters by reason, audience, site (or none), period and words typed without diacritics', async () => {
      expect(await ids({ why: 'declined' })).toEqual(['q-nam', 'q-giun-2', 'q-giun-1']);
      expect(await ids({ why: 'unhelpful' })).toEqual(['q-dem-lot']);
      expect(await ids({ why: 'low-confidence' })).toEqual(['q-thap']);
      expect(await ids({ audience: 'student' })).toEqual(['q-nam']);
      expect(await ids({ site: 'cong-tinh' })).toEqual(['q-giun-1']);
      expect(await ids({ site: '' })).toEqual(['q-thap', 'q-dem-lot', 'q-giun-2']);
      expect(await ids({ from: now - 3000, to: now - 1000 })).toEqual(['q-dem-lot', 'q-nam']);
      expect(await ids({ search: 'chieng mai giun' })).toEqual(['q-giun-2', 'q-giun-1']);
      expect(await ids({ search: 'giấy phép' })).toEqual(['q-nam']);
      // what staff type is literal, never a LIKE pattern
      expect(await ids({ search: '%' })).toEqual([]);
    });

    it('groups near-duplicates, and marks, notes and status filters hold across the group', async () => {
      const groups = await groupQuestions(t.db, await queueItems(t.db), () => 1);
      const giun = groups.find((g) => g.items.some((i) => i.id === 'q-giun-1'))!;
      expect(giun.items.map((i) => i.id).sort()).toEqual(['q-giun-1', 'q-giun-2']);
      expect(groups[0]).toBe(giun);

      expect(await markQuestions(t.db, ['q-nam', 'q-nam', 'khong-co'], 'out-of-scope', 'nguyen.thi.lan', { now })).toBe(1);
      expect(await ids({ status: 'open' })).not.toContain('q-nam');
      expect(await ids({ status: 'out-of-scope' })).toEqual(['q-nam']);
      expect(await ids({ status: 'all' })).toContain('q-nam');
      expect(await markQuestions(t.db, ['q-nam'], 'open', 'nguyen.thi.lan', { now })).toBe(1);
      expect(await ids({ status: 'open' })).toContain('q-nam');

      await addNote(t.db, 'q-giun-1', 'nguyen.thi.lan', 'Hỏi phòng Nông nghiệp huyện', now);
      await addNote(t.db, 'q-giun-2', 'tran.van.binh', 'Đã gọi điện', now + 1);
      expect((await notesOf(t.db, ['q-giun-1', 'q-giun-2'])).map((n) => [n.questionId, n.username, n.text])).toEqual([
        ['q-giun-1', 'nguyen.thi.lan', 'Hỏi phòng Nông nghiệp huyện'],
        ['q-giun-2', 'tran.van.binh', 'Đã gọi điện'],
      ]);
      expect((await groupQuestions(t.db, await queueItems(t.db), () => 1)).find((g) => g.id === giun.id)!.notes).toBe(2);
      const log = await auditLog(t.db, { limit: 20 });
      expect(log.filter((r) => r.username === 'nguyen.thi.lan').map((r) => r.action)).toEqual(expect.arrayContaining(['mark:out-of-scope', 'mark:open', 'note']));
    });

    it('a question removed from the log takes its notes and review state with it', async () => {
      await logTestQuestion(t.db, { id: 'q-het-han', text: 'Câu hỏi đã quá hạn lưu giữ', createdAt: now - 10_000 });
      await addNote(t.db, 'q-het-han', 'nguyen.thi.lan', 'Ghi chú có tên người hỏi');
      await markQuestions(t.db, ['q-het-han'], 'spam', 'nguyen.thi.lan');
      // what retention does to the log
      await t.db.run('DELETE FROM questions WHERE id = ?', ['q-het-han']);
      await forgetRemovedQuestions(t.db);
      expect(await notesOf(t.db, ['q-het-han'])).toEqual([]);
      expect(await t.db.all('SELECT * FROM review_state WHERE question_id = ?', ['q-het-han'])).toEqual([]);
      // the others keep theirs
      expect(await notesOf(t.db, ['q-giun-1'])).toHaveLength(1);
    });
  });
});
