import { notLanded } from './not-landed';

/** Physical attacks (patch, sticker, glasses) — wired to runPhysicalAttack when issue 5 lands. */
export const attackJob = notLanded('attack', 'physical attacks are not available yet (they arrive with issue 5)', 'physical attack');
