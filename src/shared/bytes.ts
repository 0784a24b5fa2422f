import { z } from 'zod';

/**
 * Binary payloads (JPEG frames, PNG previews, PDFs). Every transport we use moves Uint8Array
 * natively (structured clone, Electron IPC) or through the WebSocket codec in wire.ts.
 */
export const Bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array, { message: 'expected binary data' });

/** Caps what one message may carry so a bad client cannot exhaust memory. */
export const MAX_UPLOAD_BYTES = 256 * 1024 * 1024;

/**
 * The largest message `patchlab serve` takes over its WebSocket (the renderer checks before it
 * sends, so the user reads why). Why 128 MiB: see src/server/limits.ts.
 */
export const MAX_MESSAGE_BYTES = 128 * 1024 * 1024;

export const LimitedBytes = Bytes.refine((v) => v.byteLength <= MAX_UPLOAD_BYTES, { message: 'payload too large' });

/** A file name without folders: what a browser file picker or a capture gives us. */
export const FileName = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[^/\\\0]+$/, 'a file name without folders')
  .refine((n) => n !== '.' && n !== '..', 'a file name without folders');

/** Identifiers we turn into folder names (scene sets, runs). */
export const Slug = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'letters, digits, dot, dash and underscore only');
