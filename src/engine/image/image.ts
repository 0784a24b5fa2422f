import { extname } from 'node:path';
import sharp from 'sharp';
import { UserError, firstLine } from '../errors';

/** 8-bit interleaved pixels (RGB or RGBA), row-major. */
export interface RasterImage {
  width: number;
  height: number;
  channels: 3 | 4;
  data: Uint8Array;
}

/**
 * The most pixels one image may decode to: 8192 x 8192 (67 MP, 256 MiB as RGBA). Every phone and
 * nearly every camera photo fits (a 61 MP full-frame sensor does); sharp's own default (268 MP,
 * 1 GiB decoded) lets one upload take the memory the engine needs.
 */
export const MAX_DECODED_PIXELS = 8192 * 8192;

const megapixels = (n: number) => `${Math.round(n / 1e6)} MP`;

/** Decodes PNG/JPEG/WebP (and anything else libvips reads) to RGB, honouring EXIF orientation. */
export async function decodeImage(input: string | Uint8Array, options: { alpha?: boolean; label?: string } = {}): Promise<RasterImage> {
  const label = options.label ?? (typeof input === 'string' ? input : 'image');
  // The header says how big the image is; refuse a bomb before decoding a single pixel.
  let size: { width?: number; height?: number } = {};
  try {
    size = await sharp(input, { limitInputPixels: false }).metadata();
  } catch {
    // Unreadable header: the decode below reports why.
  }
  if (size.width && size.height && size.width * size.height > MAX_DECODED_PIXELS) {
    throw new UserError(`${label}: ${size.width}x${size.height} is ${megapixels(size.width * size.height)}, more than the ${megapixels(MAX_DECODED_PIXELS)} patchlab decodes; scale it down first`);
  }
  try {
    let pipeline = sharp(input, { failOn: 'error', limitInputPixels: MAX_DECODED_PIXELS }).rotate().toColourspace('srgb');
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

export async function writeImage(path: string, image: RasterImage, quality?: number): Promise<void> {
  const { writeFile } = await import('node:fs/promises');
  await writeFile(path, await encodeImage(image, formatFromPath(path), quality));
}
