import type { RasterImage } from '../src/engine/image/image';
import { alignFace } from '../src/engine/models/faces';
import type { Face } from '../src/engine/models/types';

/** Mild, identity-preserving variants of one face crop: as made, mirrored, re-cropped, brighter, darker. */
export function faceVariants(image: RasterImage, face: Face, size: number): { name: string; image: RasterImage }[] {
  const base = alignFace(image, face, size).crop;
  const [x1, y1, x2, y2] = face.box;
  const shift = (x2 - x1) * 0.06;
  const moved: Face = { ...face, box: [x1 + shift, y1 - shift, x2 + shift, y2 - shift] };
  return [
    { name: 'aligned', image: base },
    { name: 'mirrored', image: mirror(base) },
    { name: 'tight', image: alignFace(image, face, size, { scale: 1.25 }).crop },
    { name: 'loose-shifted', image: alignFace(image, moved, size, { scale: 1.55 }).crop },
    { name: 'brighter', image: brightness(base, 1.25) },
    { name: 'darker-mirrored', image: mirror(brightness(base, 0.75)) },
  ];
}

function mirror(img: RasterImage): RasterImage {
  const out = new Uint8Array(img.data.length);
  const { width: w, height: h, channels: c } = img;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) out[(y * w + x) * c + k] = img.data[(y * w + (w - 1 - x)) * c + k];
  return { ...img, data: out };
}

function brightness(img: RasterImage, factor: number): RasterImage {
  return { ...img, data: img.data.map((v) => Math.min(255, Math.round(v * factor))) };
}
