import type { EyeglassGeometry } from '../masks/eyeglasses';
import { HAIRLINE, INK, MUTED } from './furniture';
import type { Pdf, Rect } from './pdf';
import { formatMm, PT_PER_MM } from './units';

const pt = (points: number): number => points / PT_PER_MM;

export const MOUNTING_NOTE_HEIGHT = 24;

/** Maps viewBox units of the frame silhouette onto a copy's trim rectangle. */
function placer(geometry: EyeglassGeometry, trim: Rect): (p: [number, number]) => [number, number] {
  const [vx, vy, vw] = geometry.viewBox;
  const s = trim.width / vw;
  return ([x, y]) => [trim.x + (x - vx) * s, trim.y + (y - vy) * s];
}

/** Dashed temple fold lines, which eye goes behind which lens, and the nose-bridge centre tick. */
export function drawGlassesGuides(doc: Pdf, geometry: EyeglassGeometry, trim: Rect, bleed: number): void {
  const at = placer(geometry, trim);
  // Black dashes on a white line stay visible over any pattern; the stubs fold out of sight anyway.
  for (const side of ['left', 'right'] as const) {
    const [[x0, y0], [x1, y1]] = geometry.templeFolds[side].map(at);
    const extend = 2.5 + bleed;
    doc.save().lineWidth(pt(1.2)).strokeColor('#ffffff').moveTo(x0, y0).lineTo(x1, y1).stroke().restore();
    doc.save().lineWidth(pt(0.6)).strokeColor(INK).dash(1, { space: 0.8 }).moveTo(x0, y0 - extend).lineTo(x1, y1 + extend).stroke().undash().restore();
  }
  // Lens holes are cut away, so their labels never show on the finished frame.
  doc.font('Helvetica').fontSize(pt(7)).fillColor(MUTED);
  for (const [side, eye] of [
    ['left', 'your right eye'],
    ['right', 'your left eye'],
  ] as const) {
    const [cx, cy] = at(geometry.lensCenters[side]);
    doc.text(eye, cx - 20, cy - pt(3.5), { width: 40, align: 'center', lineBreak: false });
  }
  const [bx] = at(geometry.noseBridge);
  const tickTop = trim.y - bleed - 4;
  doc.save().lineWidth(HAIRLINE).strokeColor(INK).moveTo(bx, tickTop).lineTo(bx, tickTop + 2.5).stroke().restore();
}

export function drawMountingNote(doc: Pdf, x: number, y: number, width: number, faceWidthMm: number): void {
  doc.font('Helvetica-Bold').fontSize(pt(8.5)).fillColor(INK);
  doc.text('Mounting the frame', x, y, { width, lineBreak: false });
  doc.font('Helvetica').fontSize(pt(7.5)).fillColor(INK);
  const steps = [
    'Print on matte photo or sticker paper at 100%. Cut along the magenta CutContour line: the outside edge and both lenses.',
    'Fold the temple stubs back along the dashed lines. The tick above the bridge marks the centre.',
    'Glue or tape the print to the front of a cheap plastic frame with wide rims, bridge on bridge, stubs wrapped round the hinges (as Sharif et al., CCS 2016, did).',
    `Scaled for a face ${formatMm(faceWidthMm)} mm wide between the hinges; measure yours and export again with --face-width if it differs.`,
  ];
  let top = y + 4.2;
  for (const [i, step] of steps.entries()) {
    doc.text(`${i + 1}.`, x, top, { width: 4, lineBreak: false });
    doc.text(step, x + 4, top, { width: width - 4 });
    top = doc.y + 0.6;
  }
}
