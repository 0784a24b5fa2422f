import { TrainConfigSchema, type TrainConfig } from '../../shared/training';
import { firstIssue } from '../../shared/zod-issue';
import { UserError } from '../errors';

/** The one declaration lives in src/shared/training.ts (the app's Train panel sends the same object). */
export { TrainConfigSchema, type TrainConfig, type TrainConfigInput } from '../../shared/training';

export function parseTrainConfig(value: unknown): TrainConfig {
  const result = TrainConfigSchema.safeParse(value);
  if (!result.success) throw new UserError(`training: ${firstIssue(result.error, 'config')}`);
  return result.data;
}
