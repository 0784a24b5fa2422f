import { Command, CommanderError } from 'commander';
import { firstLine, isUserError } from '../engine/errors';
import { DEVICES, parseDevice, setDevice } from '../engine/onnx/device';
import { registerDigitalAttacks } from './commands/attack-digital';
import { registerPhysicalAttacks } from './commands/attack-physical';
import { registerDemo } from './commands/demo';
import { registerEval } from './commands/eval';
import { registerBench } from './commands/bench';
import { registerCalibrate } from './commands/calibrate';
import { registerExport } from './commands/export';
import { registerFaces } from './commands/faces';
import { registerConvert } from './commands/convert';
import { registerGrad } from './commands/grad';
import { registerModels } from './commands/models';
import { registerPredict } from './commands/predict';
import { registerServe } from './commands/serve';
import { registerDistill } from './commands/distill';
import { registerEvalRobust } from './commands/eval-robust';
import { registerTrain } from './commands/train';
import { registerScenes } from './commands/scenes';
import { registerTrial } from './commands/trial';

export function buildProgram(): Command {
  const program = new Command('patchlab')
    .description('a lab for physical-world adversarial attacks on vision models')
    .version(process.env.npm_package_version ?? '0.1.0')
    .option('--debug', 'print stack traces on errors')
    .option('--device <name>', `where models run: ${DEVICES.join(', ')} (auto: the first accelerator that loads, else the CPU; default cpu or $PATCHLAB_DEVICE)`)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .hook('preAction', (root) => {
      const device = root.opts<{ device?: string }>().device;
      if (device === undefined) return;
      setDevice(parseDevice(device));
      // Engine child processes (serve's worker) read it from the environment.
      process.env.PATCHLAB_DEVICE = device;
    });
  registerModels(program);
  registerConvert(program);
  registerPredict(program);
  registerServe(program);
  registerDemo(program);
  registerGrad(program);
  registerBench(program);
  // One `attack` group: physical attacks (patch, sticker, glasses) and digital ones (fgsm, pgd, ...)
  // register their subcommands on it.
  const attack = program.command('attack').description('optimise a physical artefact or run a digital attack');
  registerPhysicalAttacks(attack);
  registerDigitalAttacks(attack);
  registerEval(program);
  registerTrain(program);
  registerDistill(program);
  registerEvalRobust(program);
  registerExport(program);
  registerCalibrate(program);
  registerFaces(program);
  registerScenes(program);
  registerTrial(program);
  return program;
}

/**
 * Runs the CLI and returns the exit code. User mistakes print one line on stderr; anything
 * else prints one line too, plus the stack with --debug.
 */
export async function runCli(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug');
  const program = buildProgram();
  program.configureOutput({ writeErr: (s) => process.stderr.write(s) });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (isUserError(error)) {
      process.stderr.write(`patchlab: ${error.message}\n`);
    } else {
      process.stderr.write(`patchlab: ${firstLine(error)}${debug ? '' : ' (run with --debug for details)'}\n`);
    }
    if (debug && error instanceof Error && error.stack) process.stderr.write(error.stack + '\n');
    return 1;
  }
}
