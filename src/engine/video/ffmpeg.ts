import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { UserError } from '../errors';

/**
 * The ffmpeg binary: `PATCHLAB_FFMPEG` when set, else the one shipped inside the
 * `@ffmpeg-installer` npm package (so users need no system ffmpeg), else `ffmpeg` on PATH.
 */
export function ffmpegPath(): string {
  const override = process.env.PATCHLAB_FFMPEG;
  if (override) {
    if (!existsSync(override)) throw new UserError(`PATCHLAB_FFMPEG: no such file '${override}'`);
    return override;
  }
  try {
    const require = createRequire(import.meta.url);
    const shipped = (require('@ffmpeg-installer/ffmpeg') as { path: string }).path;
    if (existsSync(shipped)) return shipped;
  } catch {
    // The package throws a string on platforms it has no binary for: fall through to PATH.
  }
  return 'ffmpeg';
}
