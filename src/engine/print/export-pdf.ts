import { basename, dirname, extname, join, resolve } from 'node:path';
import { UserError } from '../errors';
import { loadEyeglassFrame, type EyeglassFrame } from '../masks/eyeglasses';
import { alphaOf, traceMask, type Ring } from './contour';
import { CAPTION_HEIGHT, drawCaption, drawCropMarks, drawFooter, drawHeader, FOOTER_HEIGHT, HAIRLINE, HEADER_HEIGHT, MARK_GAP, MARK_LENGTH, type PageText } from './furniture';
import { drawGlassesGuides, drawMountingNote, MOUNTING_NOTE_HEIGHT } from './glasses';
import { layoutSheet } from './layout';
import { addPage, createPdf, CUT_CONTOUR, drawImage, inflate, openImage, overprint, setPageBoxes, unionRect, writePdf, type Pdf, type Rect } from './pdf';
import { preparePrintImage } from './print-image';
import { readPatchSource, type AttackKind, type PatchInfo, type PatchSource } from './source';
import { formatMm, type Paper } from './units';

export interface ExportPdfOptions {
  /** A run directory (patch.png + run.json) or a PNG. */
  source: string;
  /** Printed width of the patch (its trim), mm. Height follows the image's aspect ratio. */
  sizeMm?: number;
  /** Eyeglass frames: the wearer's face width between the hinges, mm (instead of sizeMm). */
  faceWidthMm?: number;
  copies?: number;
  paper?: Paper;
  bleedMm?: number;
  marks?: boolean;
  cutContour?: boolean;
  /** Overrides run.json's attack kind; for a bare PNG, `glasses` prints it as a frame template. */
  kind?: AttackKind;
  /** Output file; RUN_DIR/patch.pdf or PATCH.pdf beside the PNG by default. */
  out?: string;
  marginMm?: number;
  gutterMm?: number;
}

export interface ExportPdfResult {
  path: string;
  pages: number;
  copies: number;
  perPage: number;
  /** Effective resolution of the printed patch, pixels per inch. */
  dpi: number;
  widthMm: number;
  heightMm: number;
  /** The patch's own pixels. */
  pixels: { width: number; height: number };
  /** The embedded image: the patch's pixels plus the bleed pixels around them. */
  embedded: { width: number; height: number };
  paper: string;
  landscape: boolean;
  /** Cut outlines drawn per copy (0 without --cut-contour). */
  cutPaths: number;
  warnings: string[];
}

export const A4: Paper = { name: 'A4', widthMm: 210, heightMm: 297 };
export const MIN_DPI = 150;
const MARGIN = 10;
const GUTTER = 4;

/** Writes a print-ready PDF of a patch, sticker or eyeglass frame at true physical size. */
export async function exportPdf(options: ExportPdfOptions): Promise<ExportPdfResult> {
  const source = await readPatchSource(options.source, options.kind);
  const warnings = [...source.warnings];
  const copies = options.copies ?? 1;
  if (!Number.isInteger(copies) || copies < 1) throw new UserError(`--copies: ${copies} is not a positive whole number`);
  const bleed = options.bleedMm ?? 0;
  if (!(bleed >= 0) || bleed > 20) throw new UserError(`--bleed: ${bleed} mm is outside 0-20 mm`);
  const paper = options.paper ?? A4;
  const { width: W, height: H } = source.image;

  const frame = source.info.kind === 'glasses' ? glassesFrame(source) : undefined;
  const widthMm = printWidth(options, source, frame, warnings);
  const heightMm = (widthMm * H) / W;
  const pitch = widthMm / W; // mm per pixel
  const dpi = W / (widthMm / 25.4);
  if (dpi < MIN_DPI) {
    warnings.push(`${basename(source.imagePath)} is ${W} px wide: at ${formatMm(widthMm)} mm that is ${Math.round(dpi)} DPI, below ${MIN_DPI}; pixels may show (print smaller or export a larger patch)`);
  }

  const bleedPx = bleed > 0 ? Math.ceil(bleed / pitch - 1e-9) : 0;
  const printImage = await preparePrintImage(source.image, source.opaque, bleedPx);
  let rings: Ring[] = [];
  if (options.cutContour && !source.opaque) {
    rings = traceMask(alphaOf(toRgbaAlpha(source)), W, H, { minArea: (1 / pitch) ** 2 });
    if (rings.length === 0) warnings.push('the mask has no outline larger than 1 mm²; no cut contour drawn');
  }
  const cutPaths = options.cutContour ? (source.opaque ? 1 : rings.length) : 0;

  const marginMm = options.marginMm ?? MARGIN;
  let outset = options.marks ? bleed + MARK_GAP + MARK_LENGTH : bleed;
  if (frame) outset = Math.max(outset, bleed + 5); // room for the bridge-centre tick
  const layout = layoutSheet({
    paper,
    copies,
    trimWidth: widthMm,
    trimHeight: heightMm,
    outset,
    captionHeight: CAPTION_HEIGHT,
    gutter: options.gutterMm ?? GUTTER,
    margin: marginMm,
    header: HEADER_HEIGHT,
    footer: FOOTER_HEIGHT + (frame ? MOUNTING_NOTE_HEIGHT : 0),
  });

  const text = pageText(source, { widthMm, heightMm, dpi, bleed, cut: Boolean(options.cutContour) });
  const doc = createPdf({ title: text.title, subject: subjectOf(source), keywords: ['patchlab', kindTitle(source.info.kind).toLowerCase(), 'print at actual size', ...(options.cutContour ? [CUT_CONTOUR] : [])] });
  const image = openImage(doc, printImage.png);
  const label = source.info.runId ?? basename(source.runDir ?? source.imagePath);

  for (let page = 0; page < layout.pages; page++) {
    addPage(doc, layout.pageWidth, layout.pageHeight);
    drawHeader(doc, layout.pageWidth, marginMm, text, page, layout.pages);
    const onPage = layout.copies.map((c, index) => ({ ...c, index })).filter((c) => c.page === page);
    for (const { trim, index } of onPage) {
      const imageRect = { x: trim.x - bleedPx * pitch, y: trim.y - bleedPx * pitch, width: printImage.width * pitch, height: printImage.height * pitch };
      doc.save();
      const clip = inflate(trim, bleed);
      doc.rect(clip.x, clip.y, clip.width, clip.height).clip();
      drawImage(doc, image, imageRect);
      doc.restore();
      if (frame) drawGlassesGuides(doc, frame.geometry, trim, bleed);
      if (options.cutContour) drawCutContour(doc, trim, source.opaque ? undefined : rings, pitch);
      if (options.marks) drawCropMarks(doc, trim, bleed);
      const captionTop = trim.y + trim.height + outset + 1;
      drawCaption(doc, `${label} \u00b7 ${formatMm(widthMm)} \u00d7 ${formatMm(heightMm)} mm \u00b7 ${Math.round(dpi)} DPI \u00b7 ${index + 1}/${copies}`, trim.x + trim.width / 2, captionTop, trim.width + 2 * outset);
    }
    setPageBoxes(
      doc,
      unionRect(onPage.map((c) => c.trim)),
      unionRect(onPage.map((c) => inflate(c.trim, bleed))),
    );
    const footerTop = layout.pageHeight - marginMm - FOOTER_HEIGHT;
    if (frame) drawMountingNote(doc, marginMm, footerTop - MOUNTING_NOTE_HEIGHT + 1, layout.pageWidth - 2 * marginMm, (widthMm * frame.geometry.frameWidth) / frame.geometry.viewBox[2] / frameScale(source));
    drawFooter(doc, layout.pageWidth, layout.pageHeight, marginMm, text);
  }

  const path = resolve(options.out ?? defaultOutput(source));
  await writePdf(doc, path);
  return {
    path,
    pages: layout.pages,
    copies,
    perPage: layout.perPage,
    dpi,
    widthMm,
    heightMm,
    pixels: { width: W, height: H },
    embedded: { width: printImage.width, height: printImage.height },
    paper: paper.name,
    landscape: layout.landscape,
    cutPaths,
    warnings,
  };
}

function toRgbaAlpha(source: PatchSource): Uint8Array {
  return source.image.channels === 4 ? source.image.data : new Uint8Array(source.image.width * source.image.height * 4).fill(255);
}

function glassesFrame(source: PatchSource): EyeglassFrame {
  const frame = loadEyeglassFrame(source.info.frame);
  const [, , vw, vh] = frame.geometry.viewBox;
  const { width, height } = source.image;
  if (Math.abs(width / height - vw / vh) > 0.01 * (vw / vh)) {
    throw new UserError(
      `${basename(source.imagePath)} is ${width}x${height}, but an eyeglass frame spans the ${vw}:${vh} viewBox of resources/masks/${frame.geometry.svg}; print it as a plain patch with --kind patch --size WIDTH`,
    );
  }
  return frame;
}

/** A run optimised with `--size S` wore the frame S times its nominal size on the face: print it so. */
function frameScale(source: PatchSource): number {
  return source.info.kind === 'glasses' ? (source.info.frameScale ?? 1) : 1;
}

function printWidth(options: ExportPdfOptions, source: PatchSource, frame: EyeglassFrame | undefined, warnings: string[]): number {
  if (frame) {
    if (options.sizeMm !== undefined && options.faceWidthMm !== undefined) throw new UserError('give either --size (the printed width) or --face-width (the wearer\'s face), not both');
    if (options.sizeMm !== undefined) return options.sizeMm;
    const face = options.faceWidthMm ?? frame.geometry.nominalFaceWidthMm;
    if (options.faceWidthMm === undefined) warnings.push(`no --face-width: the frame is scaled for a face ${face} mm wide between the hinges`);
    return ((face * frame.geometry.viewBox[2]) / frame.geometry.frameWidth) * frameScale(source);
  }
  if (options.faceWidthMm !== undefined) throw new UserError(`--face-width applies to eyeglass frames (a glasses run, or --kind glasses); ${basename(source.imagePath)} is a ${source.info.kind}`);
  if (options.sizeMm === undefined) throw new UserError('--size is required: the printed width of the patch, e.g. --size 80mm or --size 3in');
  return options.sizeMm;
}

/** The mask outline (or the trim rectangle of an opaque patch) stroked in the CutContour spot colour. */
function drawCutContour(doc: Pdf, trim: Rect, rings: Ring[] | undefined, pitch: number): void {
  doc.save();
  overprint(doc);
  doc.lineWidth(HAIRLINE).lineJoin('round').strokeColor(CUT_CONTOUR);
  if (!rings) {
    doc.rect(trim.x, trim.y, trim.width, trim.height);
  } else {
    for (const ring of rings) {
      ring.forEach(([x, y], i) => (i === 0 ? doc.moveTo(trim.x + x * pitch, trim.y + y * pitch) : doc.lineTo(trim.x + x * pitch, trim.y + y * pitch)));
      doc.closePath();
    }
  }
  doc.stroke();
  doc.restore();
}

function kindTitle(kind: AttackKind): string {
  return kind === 'glasses' ? 'Adversarial eyeglass frame' : kind === 'sticker' ? 'Adversarial sticker' : 'Adversarial patch';
}

function pageText(source: PatchSource, print: { widthMm: number; heightMm: number; dpi: number; bleed: number; cut: boolean }): PageText {
  const { info } = source;
  const aim = [info.goal, info.target].filter(Boolean).join(' ');
  const title = `${kindTitle(info.kind)}${aim ? ` \u2014 ${aim}` : ''}${info.model ? ` (${info.model})` : ''}`;
  const subtitleParts = subjectParts(info);
  const subtitle = subtitleParts.length > 0 ? subtitleParts.join('  \u00b7  ') : basename(source.imagePath);
  const { width, height } = source.image;
  const details = [
    `${formatMm(print.widthMm)} \u00d7 ${formatMm(print.heightMm)} mm`,
    `${width} \u00d7 ${height} px`,
    `${Math.round(print.dpi)} DPI`,
    print.bleed > 0 ? `${formatMm(print.bleed)} mm bleed` : 'no bleed',
    print.cut ? 'cut along the magenta CutContour line' : 'cut along the edge of the print',
  ].join('  \u00b7  ');
  return { title, subtitle, details };
}

function subjectParts(info: PatchInfo): string[] {
  return [
    info.model && `model ${info.model}`,
    info.goal && `goal ${info.goal}`,
    info.target && `target ${info.target}`,
    info.runId && `run ${info.runId}`,
    info.date && `${info.date}`,
  ].filter((p): p is string => Boolean(p));
}

function subjectOf(source: PatchSource): string {
  const parts = subjectParts(source.info);
  return parts.length > 0 ? parts.join('; ') : `${kindTitle(source.info.kind)} from ${basename(source.imagePath)}`;
}

function defaultOutput(source: PatchSource): string {
  if (source.runDir) return join(source.runDir, source.info.kind === 'glasses' ? 'glasses.pdf' : 'patch.pdf');
  const dir = dirname(source.imagePath);
  return join(dir, `${basename(source.imagePath, extname(source.imagePath))}.pdf`);
}
