import type { Command } from 'commander';
import { runTrial } from '../../engine/trial/trial';
import { note, printJson, println } from '../output';
import { parseNumber, parsePositiveInt } from '../parse';

interface TrialFlags {
  model: string;
  class: string;
  run?: string;
  every?: string;
  fps?: string;
  minScore?: string;
  out?: string;
  json?: boolean;
}

/** `patchlab trial VIDEO`: per-frame detection over a recorded physical trial, its rate, a plot and a contact sheet. */
export function registerTrial(program: Command): void {
  program
    .command('trial')
    .description('score a recorded physical trial: per frame, is the class detected (and where the patch is), the rate, a plot and a contact sheet')
    .argument('<video>', 'the recorded clip')
    .requiredOption('--model <model>', 'detector (e.g. centernet)')
    .requiredOption('--class <class>', 'class to look for (e.g. person)')
    .option('--run <run>', 'run folder (or patch PNG) whose patch is looked for in each frame')
    .option('--every <n>', 'score one frame in N')
    .option('--fps <f>', 'frames per second to score (2)')
    .option('--min-score <s>', "score at which a detection counts (the model's threshold)")
    .option('--out <dir>', 'where trial.json and the pictures go (default: VIDEO.trial beside the clip)')
    .option('--json', 'print trial.json')
    .action(async (video: string, f: TrialFlags) => {
      const report = await runTrial(video, {
        model: f.model,
        className: f.class,
        run: f.run,
        every: f.every ? parsePositiveInt('--every', f.every) : undefined,
        fps: f.fps ? parseNumber('--fps', f.fps) : undefined,
        minScore: f.minScore ? parseNumber('--min-score', f.minScore) : undefined,
        out: f.out,
        onProgress: (n) => (n % 20 === 0 ? note(`trial: ${n} frames`) : undefined),
      });
      if (f.json) return printJson(report);
      println(`${report.model}: ${report.class} detected in ${report.frames.filter((x) => x.detected).length} of ${report.frames.length} frames (${(report.rate * 100).toFixed(1)}%)`);
      if (report.patchFound !== undefined) println(`patch found in ${(report.patchFound * 100).toFixed(1)}% of frames`);
      for (const n of report.notes) note(n);
      for (const file of report.files) println(file);
    });
}
