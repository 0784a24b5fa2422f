/**
 * Print-ready PDFs. The app and the CLI call:
 *   exportPdf(options): Promise<ExportPdfResult>          a patch, sticker or eyeglass frame at true size
 *   exportChartPdf(options): Promise<ChartPdfResult>      the colour calibration chart of a palette
 * Lengths are millimetres; parseLength/parsePaper read what a user types ("80mm", "3in", "a4").
 */
export { exportPdf, type ExportPdfOptions, type ExportPdfResult } from './export-pdf';
export { exportChartPdf, type ChartPdfOptions, type ChartPdfResult } from './chart-pdf';
export { parseLength, parsePaper, type Paper } from './units';
export type { AttackKind } from './source';
