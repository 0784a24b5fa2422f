import sharp from 'sharp';
import type { RasterImage } from '../../image/image';

/** (adversarial - original) x gain around mid-grey, like the panda figure of Goodfellow et al. */
export function amplifiedPerturbation(original: RasterImage, adversarial: RasterImage, gain = 10): RasterImage {
  const data = new Uint8Array(original.data.length);
  for (let i = 0; i < data.length; i++) data[i] = Math.max(0, Math.min(255, Math.round(128 + gain * (adversarial.data[i] - original.data[i]))));
  return { ...original, data };
}

export interface PanelCaption {
  title: string;
  line: string;
}

/**
 * Original | perturbation x10 | adversarial side by side, each scaled to `height` pixels, with
 * a two-line caption under each (e.g. the predicted label and confidence).
 */
export async function panel(images: readonly RasterImage[], captions: readonly PanelCaption[], height = 160): Promise<Buffer> {
  const gap = 8;
  const captionHeight = 40;
  const tiles = await Promise.all(
    images.map(async (img) => {
      const width = Math.max(1, Math.round((img.width * height) / img.height));
      const png = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: img.channels } })
        .resize(width, height, { kernel: 'nearest' })
        .png()
        .toBuffer();
      return { png, width };
    }),
  );
  const tileWidth = Math.max(...tiles.map((t) => t.width), 170);
  const total = tiles.length * tileWidth + (tiles.length + 1) * gap;
  const svgText = captions
    .map((c, i) => {
      const x = gap + i * (tileWidth + gap) + tileWidth / 2;
      return `<text x="${x}" y="${height + gap + 16}" text-anchor="middle" font-family="DejaVu Sans, sans-serif" font-size="13" font-weight="bold">${escape(c.title)}</text>` +
        `<text x="${x}" y="${height + gap + 33}" text-anchor="middle" font-family="DejaVu Sans, sans-serif" font-size="12">${escape(c.line)}</text>`;
    })
    .join('');
  const canvasHeight = height + captionHeight + 2 * gap;
  const svg = `<svg width="${total}" height="${canvasHeight}" xmlns="http://www.w3.org/2000/svg">${svgText}</svg>`;
  return sharp({ create: { width: total, height: canvasHeight, channels: 3, background: { r: 255, g: 255, b: 255 } } })
    .composite([
      ...tiles.map((t, i) => ({ input: t.png, left: gap + i * (tileWidth + gap) + Math.floor((tileWidth - t.width) / 2), top: gap })),
      { input: Buffer.from(svg), left: 0, top: 0 },
    ])
    .png()
    .toBuffer();
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
