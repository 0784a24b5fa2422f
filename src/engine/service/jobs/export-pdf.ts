import { notLanded } from './not-landed';

/** Print-ready PDF export — wired to exportPdf when issue 6 lands. */
export const exportPdfJob = notLanded('exportPdf', 'PDF export is not available yet (it arrives with issue 6)', 'PDF export');
