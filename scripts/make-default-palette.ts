// Regenerates resources/palettes/default.json: the printable palette that NPS and the calibration
// chart use when the user has not calibrated a printer.
//
// How the colours are chosen: a 5-level grid over the sRGB cube (0, 64, 128, 191, 255 per channel)
// is mapped into what a standard CMYK process on coated paper reproduces, then near-duplicates are
// dropped. The process is modelled from its published solid colours (ISO 12647-2 PC1, the FOGRA39
// characterisation: paper, C, M, Y, the overprints, K) with the Yule-Nielsen modified Neugebauer
// model (n = 2) and Demichel weights; K overprints multiply reflectance. Printer colours are taken
// media-relative with black-point compensation (paper white = sRGB white, the darkest CMYK black
// = sRGB black), as print drivers render sRGB. A grid colour the process reproduces within
// ΔE76 1 is kept as is; any other is replaced by the nearest reproducible colour (minimum ΔE76),
// and colours within ΔE76 4 of one already kept are dropped.
//
// Usage: npx tsx scripts/make-default-palette.ts
import { writeFileSync } from 'node:fs';
import { deltaE76, labToXyz, srgbToLab, xyzToLab, xyzToSrgb, D50_WHITE, type Vec3 } from '../src/engine/color/colorimetry';
import { formatPaletteJson } from '../src/engine/color/palette';

const SOLIDS_LAB: Record<string, Vec3> = {
  paper: [95, 0, -2],
  c: [55, -37, -50],
  m: [48, 74, -3],
  y: [89, -5, 93],
  my: [47, 68, 48],
  cy: [50, -65, 27],
  cm: [24, 22, -46],
  cmy: [23, 0, 0],
  k: [16, 0, 0],
};
const YULE_NIELSEN = 2;

const xyz = (lab: Vec3): Vec3 => labToXyz(lab);
const paper = xyz(SOLIDS_LAB.paper);
const blackInk = xyz(SOLIDS_LAB.k);
const chromatic = ['paper', 'c', 'm', 'cm', 'y', 'cy', 'my', 'cmy'].map((key) => xyz(SOLIDS_LAB[key]));
// index bit 0 = cyan, bit 1 = magenta, bit 2 = yellow, bit 3 = black
const primaries: Vec3[] = [];
for (let withK = 0; withK < 2; withK++) {
  for (const p of chromatic) primaries.push(withK ? (p.map((v, i) => (v * blackInk[i]) / paper[i]) as Vec3) : p);
}
const rooted = primaries.map((p) => p.map((v) => v ** (1 / YULE_NIELSEN)));

function printed(cmyk: number[]): Vec3 {
  const sum = [0, 0, 0];
  for (let index = 0; index < 16; index++) {
    let weight = 1;
    for (let ink = 0; ink < 4; ink++) weight *= index & (1 << ink) ? cmyk[ink] : 1 - cmyk[ink];
    for (let i = 0; i < 3; i++) sum[i] += weight * rooted[index][i];
  }
  return sum.map((v) => v ** YULE_NIELSEN) as Vec3;
}

const black = printed([1, 1, 1, 1]);
/** Media-relative with black-point compensation: paper -> D50 white, full CMYK -> zero. */
function relativeLab(cmyk: number[]): Vec3 {
  const raw = printed(cmyk);
  return xyzToLab(raw.map((v, i) => (D50_WHITE[i] * (v - black[i])) / (paper[i] - black[i])) as Vec3);
}

function nearestPrintable(target: Vec3): { lab: Vec3; error: number } {
  let best = { cmyk: [0, 0, 0, 0], error: Infinity };
  const steps = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];
  for (const c of steps) for (const m of steps) for (const y of steps) for (const k of [0, 0.25, 0.5, 0.75, 1]) {
    const error = deltaE76(relativeLab([c, m, y, k]), target);
    if (error < best.error) best = { cmyk: [c, m, y, k], error };
  }
  // Coordinate descent with a shrinking step refines the coarse grid's winner.
  for (let step = 0.05; step > 1e-4; step /= 2) {
    let improved = true;
    while (improved) {
      improved = false;
      for (let ink = 0; ink < 4; ink++) {
        for (const sign of [-1, 1]) {
          const cmyk = [...best.cmyk];
          cmyk[ink] = Math.min(1, Math.max(0, cmyk[ink] + sign * step));
          const error = deltaE76(relativeLab(cmyk), target);
          if (error < best.error - 1e-9) {
            best = { cmyk, error };
            improved = true;
          }
        }
      }
    }
  }
  return { lab: relativeLab(best.cmyk), error: best.error };
}

const LEVELS = [0, 64, 128, 191, 255];
const kept: { rgb: Vec3; lab: Vec3 }[] = [];
let clipped = 0;
for (const r of LEVELS) for (const g of LEVELS) for (const b of LEVELS) {
  const target = srgbToLab([r / 255, g / 255, b / 255]);
  const { lab, error } = nearestPrintable(target);
  let rgb: Vec3 = [r, g, b];
  if (error > 1) {
    clipped++;
    rgb = xyzToSrgb(labToXyz(lab)).map((v) => Math.round(Math.min(1, Math.max(0, v)) * 255)) as Vec3;
  }
  const actual = srgbToLab([rgb[0] / 255, rgb[1] / 255, rgb[2] / 255]);
  if (kept.some((k) => deltaE76(k.lab, actual) < 4)) continue;
  kept.push({ rgb, lab: actual });
}

const file = {
  format: 'patchlab-palette' as const,
  version: 1 as const,
  name: 'default',
  description:
    'A 5-level grid over the sRGB cube (0, 64, 128, 191, 255), each colour moved to the nearest colour (minimum ΔE76) a standard CMYK process on coated paper reproduces (ISO 12647-2 PC1 solids, Yule-Nielsen Neugebauer model, media-relative with black-point compensation), near-duplicates (ΔE76 < 4) dropped. Made by scripts/make-default-palette.ts.',
  colors: kept.map((k) => k.rgb),
};
writeFileSync(new URL('../resources/palettes/default.json', import.meta.url), formatPaletteJson(file));
console.log(`${kept.length} colours (${clipped} of ${LEVELS.length ** 3} grid colours moved into the CMYK gamut)`);
