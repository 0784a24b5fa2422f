import PDFDocument from 'pdfkit';
import { writeFileAtomic } from '../fs/atomic';
import { mmToPt, PT_PER_MM } from './units';

/** The spot colour print-and-cut software (VersaWorks, Onyx, Caldera, Silhouette...) cuts along. */
export const CUT_CONTOUR = 'CutContour';
/** The registration colour: prints on every separation, for crop marks. */
export const REGISTRATION = 'All';

/** A rectangle in millimetres, origin at the top-left corner of the page. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export type Pdf = PDFKit.PDFDocument;

/** pdfkit methods its type definitions do not declare. */
interface PdfKitExtras {
  addSpotColor(name: string, c: number, m: number, y: number, k: number): Pdf;
  openImage(src: Buffer): PdfImage;
}

/** An image embedded once and drawn any number of times. */
export interface PdfImage {
  width: number;
  height: number;
}

export interface PdfMetadata {
  title: string;
  subject: string;
  keywords: string[];
}

/**
 * A pdfkit document whose drawing units are millimetres (each page starts scaled by 72/25.4),
 * with the CutContour and registration spot colours defined.
 */
export function createPdf(meta: PdfMetadata): Pdf {
  const doc = new PDFDocument({
    autoFirstPage: false,
    pdfVersion: '1.6',
    info: { Title: meta.title, Subject: meta.subject, Keywords: meta.keywords.join(', '), Author: 'patchlab', Creator: 'patchlab', CreationDate: new Date() },
  });
  const extras = doc as unknown as PdfKitExtras;
  // Tints are CMYK percentages for the on-screen/alternate rendering: CutContour shows as magenta.
  extras.addSpotColor(CUT_CONTOUR, 0, 100, 0, 0);
  extras.addSpotColor(REGISTRATION, 100, 100, 100, 100);
  return doc;
}

export function addPage(doc: Pdf, widthMm: number, heightMm: number): void {
  doc.addPage({ size: [mmToPt(widthMm), mmToPt(heightMm)], margin: 0 });
  doc.scale(PT_PER_MM);
}

export function openImage(doc: Pdf, png: Buffer): PdfImage {
  return (doc as unknown as PdfKitExtras).openImage(png);
}

export function drawImage(doc: Pdf, image: PdfImage, rect: Rect): void {
  doc.image(image as unknown as Buffer, rect.x, rect.y, { width: rect.width, height: rect.height });
}

/** Sets TrimBox and BleedBox (PDF user space: points, origin bottom-left) on the current page. */
export function setPageBoxes(doc: Pdf, trim: Rect, bleed: Rect): void {
  const pageHeightPt = doc.page.height;
  const pageWidthPt = doc.page.width;
  const box = (r: Rect): number[] => {
    const x1 = Math.max(0, mmToPt(r.x));
    const x2 = Math.min(pageWidthPt, mmToPt(r.x + r.width));
    const y1 = Math.max(0, pageHeightPt - mmToPt(r.y + r.height));
    const y2 = Math.min(pageHeightPt, pageHeightPt - mmToPt(r.y));
    return [x1, y1, x2, y2].map((v) => Math.round(v * 1000) / 1000);
  };
  const data = doc.page.dictionary.data as Record<string, unknown>;
  data.TrimBox = box(trim);
  data.BleedBox = box(bleed);
}

const overprintStates = new WeakMap<Pdf, PDFKit.PDFKitReference>();

/** Turns on overprint so a spot-colour stroke does not knock out the artwork under it. */
export function overprint(doc: Pdf): void {
  let state = overprintStates.get(doc);
  if (!state) {
    state = doc.ref({ Type: 'ExtGState', OP: true, op: true, OPM: 1 });
    state.end(undefined);
    overprintStates.set(doc, state);
  }
  doc.page.ext_gstates.GsOverprint = state;
  doc.addContent('/GsOverprint gs');
}

export function unionRect(rects: Rect[]): Rect {
  const x1 = Math.min(...rects.map((r) => r.x));
  const y1 = Math.min(...rects.map((r) => r.y));
  const x2 = Math.max(...rects.map((r) => r.x + r.width));
  const y2 = Math.max(...rects.map((r) => r.y + r.height));
  return { x: x1, y: y1, width: x2 - x1, height: y2 - y1 };
}

export function inflate(r: Rect, by: number): Rect {
  return { x: r.x - by, y: r.y - by, width: r.width + 2 * by, height: r.height + 2 * by };
}

export async function writePdf(doc: Pdf, path: string): Promise<void> {
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve());
    doc.on('error', reject);
  });
  doc.end();
  await done;
  writeFileAtomic(path, Buffer.concat(chunks));
}
