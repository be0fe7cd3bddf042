/**
 * Copy-truncate rotation: the file operations, then a real child writing
 * through its own O_APPEND fd while its log is rotated under it.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rotateIfNeeded } from '../../src/logs/copy-truncate.js';
import { createLogRotator, FULL_CHECK_EVERY, type RotatedFile } from '../../src/logs/log-rotator.js';
import { fixture, tmpHome, trackPids, waitFor, type PidTracker } from '../helpers/processes.js';

let dir: string;
let tracker: PidTracker;

beforeEach(() => {
  dir = tmpHome();
  tracker = trackPids();
});

afterEach(() => tracker.assertNoLeftovers());

const read = (name: string) => readFileSync(join(dir, name), 'utf8');
/** `base.1`, `base.2`… in numeric order (newest first). */
const rotatedNames = (base: string) =>
  readdirSync(dir)
    .filter((n) => n.startsWith(`${base}.`) && /^\d+$/.test(n.slice(base.length + 1)))
    .sort((a, b) => Number(a.slice(base.length + 1)) - Number(b.slice(base.length + 1)));

describe('rotateIfNeeded', () => {
  it('leaves a file at or under max_size, and a missing file, alone', async () => {
    writeFileSync(join(dir, 'a.log'), 'x'.repeat(100));
    expect(await rotateIfNeeded(join(dir, 'a.log'), { maxSize: 100, keep: 5 })).toBe(false);
    expect(await rotateIfNeeded(join(dir, 'missing.log'), { maxSize: 1, keep: 5 })).toBe(false);
    expect(readdirSync(dir)).toEqual(['a.log']);
  });

  it('copies to .1 after shifting older files, truncates, and keeps at most `keep` files within keep × max_size bytes', async () => {
    const file = join(dir, 'a.log');
    for (let i = 1; i <= 5; i++) {
      writeFileSync(file, `content ${i}\nx\n`, { flag: 'a' });
      expect(await rotateIfNeeded(file, { maxSize: 10, keep: 3 })).toBe(true);
      expect(read('a.log')).toBe('');
    }
    expect(rotatedNames('a.log')).toEqual(['a.log.1', 'a.log.2', 'a.log.3']);
    // 3 × 12 bytes would pass the budget of 30: the oldest loses its head, cut at a line start.
    expect([read('a.log.1'), read('a.log.2'), read('a.log.3')]).toEqual(['content 5\nx\n', 'content 4\nx\n', 'x\n']);
  });

  it('drops files beyond a smaller `keep`, and with keep 0 only truncates', async () => {
    const file = join(dir, 'a.log');
    for (let i = 1; i <= 4; i++) writeFileSync(`${file}.${i}`, `old ${i}\n`);
    writeFileSync(file, 'new 1\nnew 2\n');
    await rotateIfNeeded(file, { maxSize: 10, keep: 2 });
    expect(rotatedNames('a.log')).toEqual(['a.log.1', 'a.log.2']);
    expect([read('a.log.1'), read('a.log.2')]).toEqual(['new 1\nnew 2\n', 'old 1\n']);
    writeFileSync(file, 'newer\n');
    await rotateIfNeeded(file, { maxSize: 1, keep: 0 });
    expect(readdirSync(dir)).toEqual(['a.log']);
    expect(read('a.log')).toBe('');
  });

  it('copies only the newest keep × max_size bytes of a file that grew far past max_size, from a whole line', async () => {
    const file = join(dir, 'a.log');
    const lines = Array.from({ length: 1000 }, (_, i) => `line ${String(i).padStart(4, '0')}\n`); // 10 bytes each
    writeFileSync(`${file}.1`, 'older\n');
    writeFileSync(file, lines.join(''));
    await rotateIfNeeded(file, { maxSize: 1000, keep: 2 });
    expect(rotatedNames('a.log')).toEqual(['a.log.1']); // the budget is full: the older file went
    expect(read('a.log.1')).toBe(lines.slice(-200).join(''));
    writeFileSync(file, `${lines.slice(0, 150).join('')}partial`);
    await rotateIfNeeded(file, { maxSize: 1000, keep: 2 });
    // 1507 bytes new; 493 bytes left for the older file: its newest whole lines.
    expect(read('a.log.1')).toBe(`${lines.slice(0, 150).join('')}partial\n`);
    expect(read('a.log.2')).toBe(lines.slice(-49).join(''));
  });

  it('keeps the file mode of the log on its rotated copy', async () => {
    const file = join(dir, 'a.log');
    writeFileSync(file, 'secret\n', { mode: 0o600 });
    await rotateIfNeeded(file, { maxSize: 1, keep: 1 });
    expect(statSync(`${file}.1`).mode & 0o777).toBe(0o600);
  });
});

describe('createLogRotator', () => {
  it('ends a rotated copy with a newline, so that a cut line never runs into the next file', async () => {
    const file = join(dir, 'a.log');
    writeFileSync(file, 'line 1\nprogress...');
    const rotator = createLogRotator({ intervalMs: 1000, files: () => [{ file, maxSize: 10, keep: 2 }] });
    expect(await rotator.checkNow()).toEqual([file]);
    rotator.stop();
    expect(read('a.log.1')).toBe('line 1\nprogress...\n');
  });

  it('reports a file it cannot rotate and goes on with the others; and a throwing files()', async () => {
    mkdirSync(join(dir, 'bad.log'));
    writeFileSync(join(dir, 'good.log'), 'x\n');
    const errors: string[] = [];
    const files = [join(dir, 'bad.log'), join(dir, 'good.log')].map((file) => ({ file, maxSize: 1, keep: 1 }));
    const rotator = createLogRotator({ intervalMs: 10, files: () => files, onError: (_err, file) => errors.push(file) });
    expect(await rotator.checkNow()).toEqual([join(dir, 'good.log')]);
    expect(errors).toEqual([join(dir, 'bad.log')]);
    rotator.stop();

    const failing = createLogRotator({
      intervalMs: 5,
      files: () => {
        throw new Error('no store');
      },
      onError: (_err, file) => errors.push(`files() ${file}`),
    });
    failing.start();
    await waitFor(() => errors.includes('files() '), { what: 'the error of files()' });
    failing.stop();
  });
});

describe('createLogRotator keeps each log open between checks', () => {
  /** Paths this process holds open. */
  const openPaths = () => readdirSync('/proc/self/fd').map((fd) => { try { return readlinkSync(`/proc/self/fd/${fd}`); } catch { return ''; } });

  it('holds a listed file open, lets go of one no longer listed, and opens a deleted-and-recreated file anew', async () => {
    const file = join(dir, 'a.log');
    let listed: RotatedFile[] = [{ file, maxSize: 100, keep: 1 }];
    const rotator = createLogRotator({ intervalMs: 1000, files: () => listed });
    writeFileSync(file, 'small\n');
    expect(await rotator.checkNow()).toEqual([]);
    expect(openPaths()).toContain(file);

    rmSync(file);
    writeFileSync(file, 'y'.repeat(200));
    expect(await rotator.checkNow()).toEqual([file]); // the new file, not the deleted one still held
    expect(read('a.log.1')).toBe(`${'y'.repeat(100)}\n`);
    expect(openPaths().filter((path) => path.startsWith(file))).toEqual([file]);

    listed = [];
    await rotator.checkNow();
    expect(openPaths().filter((path) => path.startsWith(file))).toEqual([]);
    rotator.stop();
  });

  it('on its timer: sees a held file grow past max_size, and finds a deleted-and-recreated file at a full check', async () => {
    const file = join(dir, 'a.log');
    writeFileSync(file, 'small\n');
    const rotations: string[] = [];
    const rotator = createLogRotator({ intervalMs: 5, files: () => [{ file, maxSize: 100, keep: 1 }], onRotate: (f) => rotations.push(f) });
    rotator.start();
    try {
      await waitFor(() => openPaths().includes(file), { what: 'the log held open' });
      appendFileSync(file, 'x'.repeat(200));
      await waitFor(() => rotations.length === 1, { what: 'the grown file rotated' });

      // The held fd now reads the deleted file (small): only a check with fstat (nlink 0) finds the new one.
      rmSync(file);
      writeFileSync(file, 'y'.repeat(200));
      await waitFor(() => rotations.length === 2, { what: `the new file rotated within ${FULL_CHECK_EVERY} checks` });
      expect(read('a.log.1')).toBe(`${'y'.repeat(100)}\n`);
      expect(openPaths().filter((path) => path.startsWith(file))).toEqual([file]);
    } finally {
      rotator.stop();
    }
  });

  it('reports a failing file once, not at every check, and again after it recovered and failed anew', async () => {
    const bad = join(dir, 'bad.log');
    mkdirSync(bad);
    const errors: string[] = [];
    const rotator = createLogRotator({ intervalMs: 1000, files: () => [{ file: bad, maxSize: 1, keep: 1 }], onError: (_err, file) => errors.push(file) });
    await rotator.checkNow();
    await rotator.checkNow();
    expect(errors).toEqual([bad]);
    rmSync(bad, { recursive: true });
    await rotator.checkNow();
    mkdirSync(bad);
    await rotator.checkNow();
    expect(errors).toEqual([bad, bad]);
    rotator.stop();
  });
});

/** Starts chatty.mjs with its stdout and stderr on fds opened like the agent opens logs. */
function startChatty(lines: number, flag: 'a' | 'w' = 'a') {
  const out = openSync(join(dir, 'svc.out.log'), flag, 0o600);
  const err = openSync(join(dir, 'svc.err.log'), flag, 0o600);
  try {
    // ~100-byte lines, one pair per ms: a steady writer over a few seconds.
    const child = spawn(process.execPath, [fixture('chatty.mjs'), String(lines), '100', '1'], { detached: true, stdio: ['ignore', out, err] });
    tracker.add(child.pid as number);
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    return { exited };
  } finally {
    closeSync(out);
    closeSync(err);
  }
}

const LINE = /^(out|err) (\d+)\.+$/;

/**
 * The line numbers of each kept file, oldest file first. Every line must be
 * whole (99 bytes, no NUL), except that the last line of a rotated file may
 * be cut short: a write in flight at the truncate (it is then counted lost).
 */
function linesByFile(base: string, prefix: 'out' | 'err'): number[][] {
  const files = [...rotatedNames(base).reverse(), base];
  return files.map((name) => {
    const lines = read(name).split('\n').filter(Boolean);
    const last = lines.at(-1);
    if (name !== base && last !== undefined && last.length < 99 && /^(out|err)( \d*)?\.*$/.test(last)) lines.pop();
    return lines.map((line) => {
      const match = LINE.exec(line);
      if (!match || match[1] !== prefix || line.length !== 99) throw new Error(`malformed line in ${name}: ${JSON.stringify(line)}`);
      return Number(match[2]);
    });
  }).filter((numbers) => numbers.length > 0);
}

/**
 * Checks one stream's kept files: inside a file, lines run on one by one
 * (nothing lost, nothing reordered); lines may go missing only between two
 * files, in the copy-truncate window. Returns all lines and the lost ones.
 */
function checkStream(base: string, prefix: 'out' | 'err'): { lines: number[]; lost: number[] } {
  const files = linesByFile(base, prefix);
  const lost: number[] = [];
  files.forEach((numbers, i) => {
    numbers.forEach((n, j) => j > 0 && expect(n, `the line after ${numbers[j - 1]} in one file`).toBe(numbers[j - 1] + 1));
    const before = i === 0 ? numbers[0] - 1 : (files[i - 1].at(-1) as number);
    expect(numbers[0], 'the first line of the next file').toBeGreaterThan(before);
    for (let n = before + 1; n < numbers[0]; n++) lost.push(n);
  });
  return { lines: files.flat(), lost };
}

describe('createLogRotator with a real child writing through O_APPEND', () => {
  it('rotates under a steady writer: the live file keeps growing, lines stay whole, losses only in the window', async () => {
    const LINES = 2000;
    const files: RotatedFile[] = ['svc.out.log', 'svc.err.log'].map((name) => ({ file: join(dir, name), maxSize: 16 * 1024, keep: 100 }));
    const rotations: string[] = [];
    const errors: unknown[] = [];
    const rotator = createLogRotator({ intervalMs: 5, files: () => files, onRotate: (f) => rotations.push(f), onError: (e) => errors.push(e) });
    const { exited } = startChatty(LINES);
    rotator.start();

    // After a rotation the child's next writes land at the start of the emptied file.
    await waitFor(() => rotations.length > 0, { what: 'a first rotation' });
    await waitFor(() => statSync(files[0].file).size > 0, { what: 'the live file to grow again' });
    expect(await exited).toBe(0);
    rotator.stop();
    await rotator.checkNow(); // a last check may rotate the tail too: it must stay whole
    rotator.stop();

    expect(errors).toEqual([]);
    expect(rotations.length).toBeGreaterThanOrEqual(4);
    for (const [base, prefix] of [['svc.out.log', 'out'], ['svc.err.log', 'err']] as const) {
      const { lines, lost } = checkStream(base, prefix);
      console.info(`${base}: ${rotatedNames(base).length} rotations, ${lines.length} lines kept, lost in the window: [${lost.join(', ')}]`);
      expect(lines[0]).toBe(0);
      expect(lines.at(-1)).toBe(LINES - 1);
      expect(lines.length + lost.length).toBe(LINES);
      // Typically none; a writer that writes while the agent is descheduled in the window loses those lines.
      expect(lost.length).toBeLessThan(LINES * 0.05);
    }
  });

  it('keeps at most `keep` rotated files, whose lines run on into the live file', async () => {
    const file = join(dir, 'svc.out.log');
    const rotator = createLogRotator({ intervalMs: 5, files: () => [{ file, maxSize: 8 * 1024, keep: 3 }] });
    const { exited } = startChatty(1500);
    rotator.start();
    await waitFor(() => existsSync(`${file}.3`), { what: 'three rotated files' });
    expect(await exited).toBe(0);
    await rotator.stop(); // a rotation in flight ends first: its renames leave no gap to be seen

    // Never more than `keep` files. Their bytes: keep × max_size, plus what late checks let the live file grow
    // past max_size on a starved machine (up to two files' worth here); the e2e test holds logs/ to the issue's bound.
    const names = rotatedNames('svc.out.log');
    expect(names.length).toBeGreaterThan(0);
    expect(names).toEqual(['svc.out.log.1', 'svc.out.log.2', 'svc.out.log.3'].slice(0, names.length));
    expect(names.reduce((total, name) => total + statSync(join(dir, name)).size, 0)).toBeLessThanOrEqual(5 * 8 * 1024);
    const { lines } = checkStream('svc.out.log', 'out');
    expect(lines[0]).toBeGreaterThan(0); // the oldest were dropped
    expect(lines.at(-1)).toBe(1499);
  });

  it('why logs are opened with O_APPEND: a writer at its own offset leaves a hole of NUL bytes after a truncate', async () => {
    const file = join(dir, 'svc.out.log');
    const { exited } = startChatty(300, 'w');
    await waitFor(() => statSync(file).size > 4096, { what: 'some output' });
    await rotateIfNeeded(file, { maxSize: 1, keep: 1 });
    await exited;

    expect(readFileSync(file)[0]).toBe(0); // the child went on writing at its old offset
  });
});
