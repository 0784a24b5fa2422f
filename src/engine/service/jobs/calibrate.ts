import { notLanded } from './not-landed';

/** Printer colour calibration from a photo of the chart — wired when issue 6 lands. */
export const calibrateJob = notLanded('calibrate', 'colour calibration is not available yet (it arrives with issue 6)', 'calibration');
