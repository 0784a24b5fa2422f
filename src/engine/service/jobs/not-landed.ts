import { UserError } from '../../errors';
import type { JobKind } from '../../../shared/index';
import type { JobHandler } from '../types';

/**
 * A job whose engine function has not landed in this build. The UI shows the reason instead of
 * a control that pretends to work.
 */
export function notLanded<K extends JobKind>(kind: K, reason: string, title: string): JobHandler<K> {
  return {
    kind,
    capability: () => ({ available: false, reason }),
    title: () => title,
    execute: async () => {
      throw new UserError(reason);
    },
  };
}
