/**
 * Runs (or resumes) a toy physical attack in its own process, so a test can SIGKILL it
 * mid-optimisation. Usage: tsx physical-child.ts start|resume RUN_DIR SCENES_DIR
 * Prints "step N" after every step.
 */
import { resumePhysicalAttack, runPhysicalAttack } from '../../src/engine/attacks/physical/run';
import { toyConfig } from './toy-config';
import { toyDetector } from './toy-detector';

const [mode, runDir, scenes] = process.argv.slice(2);
const onProgress = (p: { step: number }): void => {
  process.stdout.write(`step ${p.step}\n`);
};
const options = { target: toyDetector(), onProgress, previewEvery: 0 };
const result = mode === 'resume' ? await resumePhysicalAttack(runDir, options) : await runPhysicalAttack(toyConfig(scenes), runDir, options);
process.stdout.write(`done ${result.stepsDone}\n`);
