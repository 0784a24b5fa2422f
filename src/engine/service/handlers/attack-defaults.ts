import { UserError } from '../../errors';
import type { CallHandler } from '../types';

/** The attack engine's per-kind defaults — wired to resolveAttackConfig when issue 5 lands. */
export const attackDefaultsHandler: CallHandler<'attackDefaults'> = async () => {
  throw new UserError('physical attacks are not available yet (they arrive with issue 5)');
};
