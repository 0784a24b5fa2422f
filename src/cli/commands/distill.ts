import type { Command } from 'commander';
import { UserError } from '../../engine/errors';
import { ARCHITECTURES } from '../../engine/train/arch';
import { configFromFlags, runTrainCommand, trainingOptions, type TrainFlags } from './train';

/** `patchlab distill`: defensive distillation (Papernot et al. 2016) — a student trained on a teacher's soft labels at T. */
export function registerDistill(program: Command): void {
  trainingOptions(
    program
      .command('distill')
      .description("train a student on a teacher's softmax at temperature T (defensive distillation); deploy it at T=1")
      .option('--teacher <model.onnx>', 'the teacher (trained at the same temperature: patchlab train --temperature T)')
      .option('--temperature <T>', 'distillation temperature', '100')
      .option('--arch <name>', `the student network: ${ARCHITECTURES.join('|')}`, 'cnn'),
  ).action(async (flags: TrainFlags & { teacher?: string }) => {
    if (!flags.teacher && !flags.resume) throw new UserError('distill: --teacher MODEL.onnx is required');
    await runTrainCommand(flags, { ...configFromFlags(flags), teacher: flags.teacher });
  });
}
