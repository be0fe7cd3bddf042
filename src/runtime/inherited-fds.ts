/**
 * Node opens its own descriptors close-on-exec, so a child gets only the
 * stdio it is given. But descriptors this process inherited WITHOUT
 * close-on-exec (a shell's or CI runner's pipe, a launcher's socket) pass
 * on to every child, and libuv does not close them: detached services
 * would hold them for their whole life (and a CI step waiting for that
 * pipe to close would hang). Node cannot set FD_CLOEXEC, so they are closed.
 */
import { closeSync, readdirSync, readFileSync } from 'node:fs';

const O_CLOEXEC = 0o2000000;

/** Descriptors ≥ 3 of this process that a spawned child would inherit. */
export function listInheritedFds(): number[] {
  const fds: number[] = [];
  for (const entry of readdirSync('/proc/self/fd')) {
    const fd = Number(entry);
    if (fd >= 3 && !isCloseOnExec(fd)) fds.push(fd);
  }
  return fds;
}

function isCloseOnExec(fd: number): boolean {
  try {
    const flags = /^flags:\s*([0-7]+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))?.[1];
    return flags === undefined || (parseInt(flags, 8) & O_CLOEXEC) !== 0;
  } catch {
    return true; // gone (e.g. the directory handle of the listing itself)
  }
}

/**
 * Closes the descriptors of `listInheritedFds()` and returns them. Safe for
 * Node itself, whose descriptors (including an IPC channel) are
 * close-on-exec; call it before the first spawn.
 */
export function closeInheritedFds(): number[] {
  const fds = listInheritedFds();
  for (const fd of fds) {
    try {
      closeSync(fd);
    } catch {
      // Closed meanwhile: nothing to do.
    }
  }
  return fds;
}
