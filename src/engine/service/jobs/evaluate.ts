import { notLanded } from './not-landed';

/** Robustness evaluation of a run — wired to evaluateRun when issue 5 lands. */
export const evaluateJob = notLanded('evaluate', 'robustness evaluation is not available yet (it arrives with issue 5)', 'evaluation');
