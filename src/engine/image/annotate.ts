import sharp from 'sharp';
import type { ImagePrediction } from '../models/types';
import type { RasterImage } from './image';

const PALETTE = ['#e6194b', '#3cb44b', '#4363d8', '#f58231', '#911eb4', '#42d4f4', '#f032e6', '#bfef45', '#fabed4', '#469990', '#dcbeff', '#9a6324'];

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] as string);
}

/** An SVG overlay of a prediction's boxes, labels and keypoints, in the image's pixel space. */
export function predictionSvg(width: number, height: number, p: ImagePrediction): string {
  const stroke = Math.max(2, Math.round(Math.min(width, height) / 250));
  const font = Math.max(12, Math.round(Math.min(width, height) / 40));
  const parts: string[] = [];
  const box = (b: readonly number[], color: string, label: string) => {
    const [x1, y1, x2, y2] = b;
    const ty = y1 - font * 1.3 >= 0 ? y1 - font * 1.3 : y1;
    parts.push(`<rect x="${x1}" y="${y1}" width="${x2 - x1}" height="${y2 - y1}" fill="none" stroke="${color}" stroke-width="${stroke}"/>`);
    parts.push(`<rect x="${x1}" y="${ty}" width="${label.length * font * 0.6 + 6}" height="${font * 1.3}" fill="${color}"/>`);
    parts.push(`<text x="${x1 + 3}" y="${ty + font}" font-family="sans-serif" font-size="${font}" fill="white">${escapeXml(label)}</text>`);
  };
  for (const d of p.detections ?? []) box(d.box, PALETTE[d.classIndex % PALETTE.length], `${d.label} ${(d.score * 100).toFixed(0)}%`);
  for (const f of p.faces ?? []) {
    box(f.box, PALETTE[0], `face ${(f.score * 100).toFixed(0)}%`);
    f.keypoints.forEach((k, i) => parts.push(`<circle cx="${k.x}" cy="${k.y}" r="${stroke * 1.5}" fill="${PALETTE[(i + 1) % PALETTE.length]}"><title>${escapeXml(k.name)}</title></circle>`));
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${parts.join('')}</svg>`;
}

/** The image with the prediction drawn on it, encoded as PNG. */
export async function annotateImage(image: RasterImage, p: ImagePrediction): Promise<Buffer> {
  const raw = { width: image.width, height: image.height, channels: image.channels };
  return sharp(image.data, { raw })
    .composite([{ input: Buffer.from(predictionSvg(image.width, image.height, p)), top: 0, left: 0 }])
    .png()
    .toBuffer();
}
