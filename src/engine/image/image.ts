import { extname } from 'node:path';
import sharp from 'sharp';
import { UserError, firstLine } from '../errors';
import { writeFileAtomic } from '../fs/atomic';

/** 8-bit interleaved pixels (RGB or RGBA), row-major. */
export interface RasterImage {
  width: number;
  height: number;
  channels: 3 | 4;
  data: Uint8Array;
}

/** Decodes PNG/JPEG/WebP (and anything else libvips reads) to RGB, honouring EXIF orientation. */
export async function decodeImage(input: string | Uint8Array, options: { alpha?: boolean; label?: string } = {}): Promise<RasterImage> {
  const label = options.label ?? (typeof input === 'string' ? input : 'image');
  try {
    let pipeline = sharp(input, { failOn: 'error' }).rotate().toColourspace('srgb');
    pipeline = options.alpha ? pipeline.ensureAlpha() : pipeline.removeAlpha();
    const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, channels: info.channels as 3 | 4, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
  } catch (error) {
    const reason = firstLine(error);
    if (/missing|no such file/i.test(reason)) throw new UserError(`${label}: no such file`);
    throw new UserError(`${label}: cannot decode image (${reason})`);
  }
}

export type ImageFormat = 'png' | 'jpeg' | 'webp';

export function formatFromPath(path: string): ImageFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.jpg' || ext === '.jpeg') return 'jpeg';
  if (ext === '.webp') return 'webp';
  if (ext === '.png') return 'png';
  throw new UserError(`${path}: unknown image extension '${ext}' (use .png, .jpg or .webp)`);
}

export async function encodeImage(image: RasterImage, format: ImageFormat, quality = 92): Promise<Buffer> {
  const pipeline = sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels } });
  switch (format) {
    case 'png':
      return pipeline.png().toBuffer();
    case 'jpeg':
      return pipeline.jpeg({ quality }).toBuffer();
    case 'webp':
      return pipeline.webp({ quality }).toBuffer();
  }
}

/** Encodes by the path's extension and writes atomically (a crash leaves the old file or the new one). */
export async function writeImage(path: string, image: RasterImage, quality?: number): Promise<void> {
  writeFileAtomic(path, await encodeImage(image, formatFromPath(path), quality));
}
