import sharp from 'sharp';
import type { RasterImage } from './image';

export type ResizeMode = 'stretch' | 'letterbox';
export type ResizeKernel = 'nearest' | 'linear' | 'cubic' | 'lanczos3';

/**
 * How resized pixel coordinates map back to the original image:
 * original = (resized - offset) / scale, per axis.
 */
export interface ResizeTransform {
  scaleX: number;
  scaleY: number;
  offsetX: number;
  offsetY: number;
}

export interface Resized {
  image: RasterImage;
  transform: ResizeTransform;
}

export interface ResizeOptions {
  mode?: ResizeMode;
  kernel?: ResizeKernel;
  /** Letterbox fill, 0-255 per channel. */
  padColor?: [number, number, number];
}

/** Resizes to exactly width x height, by stretching or by letterboxing (aspect kept, centred). */
export async function resizeImage(image: RasterImage, width: number, height: number, options: ResizeOptions = {}): Promise<Resized> {
  const mode = options.mode ?? 'stretch';
  const kernel = options.kernel ?? 'linear';
  // Frames already at the model's size (the webcam sends them so) need no resampling.
  if (image.width === width && image.height === height) return { image, transform: { scaleX: 1, scaleY: 1, offsetX: 0, offsetY: 0 } };
  const raw = { width: image.width, height: image.height, channels: image.channels };
  if (mode === 'stretch') {
    const out = await sharp(image.data, { raw }).resize(width, height, { fit: 'fill', kernel }).raw().toBuffer();
    return {
      image: { width, height, channels: image.channels, data: new Uint8Array(out.buffer, out.byteOffset, out.byteLength) },
      transform: { scaleX: width / image.width, scaleY: height / image.height, offsetX: 0, offsetY: 0 },
    };
  }
  const scale = Math.min(width / image.width, height / image.height);
  const innerW = Math.max(1, Math.round(image.width * scale));
  const innerH = Math.max(1, Math.round(image.height * scale));
  const left = Math.floor((width - innerW) / 2);
  const top = Math.floor((height - innerH) / 2);
  const [r, g, b] = options.padColor ?? [114, 114, 114];
  const out = await sharp(image.data, { raw })
    .resize(innerW, innerH, { fit: 'fill', kernel })
    .extend({ left, top, right: width - innerW - left, bottom: height - innerH - top, background: { r, g, b, alpha: 1 } })
    .raw()
    .toBuffer();
  return {
    image: { width, height, channels: image.channels, data: new Uint8Array(out.buffer, out.byteOffset, out.byteLength) },
    transform: { scaleX: innerW / image.width, scaleY: innerH / image.height, offsetX: left, offsetY: top },
  };
}

/** Maps a box in resized-image pixels back to original-image pixels. */
export function unmapBox(box: readonly [number, number, number, number], t: ResizeTransform): [number, number, number, number] {
  return [(box[0] - t.offsetX) / t.scaleX, (box[1] - t.offsetY) / t.scaleY, (box[2] - t.offsetX) / t.scaleX, (box[3] - t.offsetY) / t.scaleY];
}
