import { closeSync, constants, fstatSync, openSync, readSync, realpathSync } from 'node:fs';
import { isAbsolute, join, relative, sep, win32 } from 'node:path';
import { UserError, firstLine } from '../errors';

/**
 * The most a model's companion file (a TF.js weight shard, ONNX external data) may hold: ONNX's
 * own protobuf limit is 2 GiB, and no model patchlab runs on a laptop comes near it.
 */
export const MAX_MODEL_FILE_BYTES = 2 * 1024 * 1024 * 1024;

export interface ContainedRead {
  /** What the error messages name (the model file). */
  label: string;
  /** What the path is, for messages: 'weight shard', 'external data file'. */
  what: string;
  maxBytes?: number;
}

/**
 * Why a path a model file names may not be followed, or undefined when it is a plain relative
 * path inside its folder: no absolute paths (POSIX or Windows), no `..`, no NUL.
 */
export function uncontainedReason(name: string): string | undefined {
  if (typeof name !== 'string' || name.length === 0) return 'an empty path';
  if (name.includes('\0')) return 'a NUL byte in the path';
  if (isAbsolute(name) || win32.isAbsolute(name) || /^[A-Za-z]:/.test(name)) return 'an absolute path';
  if (name.split(/[/\\]+/).includes('..')) return "'..' in the path";
  return undefined;
}

/**
 * Reads a file a model names relative to its own folder, and nothing else: the path must stay in
 * `baseDir` after symlinks are resolved, must be a regular file (no device such as /dev/zero, no
 * fifo that would block forever, no folder), and may not exceed the size cap.
 */
export function readContainedFile(baseDir: string, name: string, options: ContainedRead): Buffer {
  const where = `${options.label}: ${options.what} '${name}'`;
  const reason = uncontainedReason(name);
  if (reason) throw new UserError(`${where} is refused: ${reason} (model files may only name files in their own folder)`);
  let real: string;
  let base: string;
  try {
    base = realpathSync(baseDir);
    real = realpathSync(join(baseDir, name));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new UserError(`${where} is missing (expected next to the model, in ${baseDir})`);
    throw new UserError(`${where} cannot be read (${firstLine(error)})`);
  }
  const inside = relative(base, real);
  if (inside === '' || inside.startsWith('..' + sep) || inside === '..' || isAbsolute(inside)) {
    throw new UserError(`${where} is refused: it leads outside the model's folder (a symlink to ${real})`);
  }
  const cap = options.maxBytes ?? MAX_MODEL_FILE_BYTES;
  // O_NONBLOCK: opening a fifo must not wait for a writer; the fstat below then refuses it.
  let fd: number;
  try {
    fd = openSync(real, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    throw new UserError(`${where} cannot be read (${firstLine(error)})`);
  }
  return readWhole(fd, where, cap, 'refused: not a regular file (a device, fifo or folder)');
}

/** A model file the user points at: a regular file under the cap (never a device or fifo), read whole. */
export function readRegularFile(path: string, label: string, maxBytes = MAX_MODEL_FILE_BYTES): Buffer {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new UserError(`${label}: no such file`);
    throw new UserError(`${label}: cannot read (${firstLine(error)})`);
  }
  return readWhole(fd, label, maxBytes, 'not a regular file (a folder, device or fifo)');
}

/** Reads an open file whole and closes it, if it is a regular file under the cap. */
function readWhole(fd: number, where: string, cap: number, notRegular: string): Buffer {
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new UserError(`${where}: ${notRegular}`);
    if (stat.size > cap) throw new UserError(`${where}: ${stat.size} bytes, more than the ${cap}-byte cap`);
    const out = Buffer.allocUnsafe(stat.size);
    let done = 0;
    while (done < stat.size) {
      const n = readSync(fd, out, done, stat.size - done, done);
      if (n === 0) break;
      done += n;
    }
    return out.subarray(0, done);
  } finally {
    closeSync(fd);
  }
}
