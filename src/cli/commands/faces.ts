import type { Command } from 'commander';
import { UserError } from '../../engine/errors';
import { saveCalibration } from '../../engine/faces/calibration-store';
import { calibrateOnPhotos } from '../../engine/faces/calibrate';
import { zooFaceModels } from '../../engine/faces/embed';
import { enrolGallery, listGalleries } from '../../engine/faces/gallery';
import { evaluateOnGallery, GALLERY_VARIANTS } from '../../engine/evaluate/faces-gallery';
import { note, printJson, println, table } from '../output';
import { parseNumber, parsePositiveInt } from '../parse';

interface EnrolFlags {
  frames: string;
  model: string;
  json?: boolean;
}

interface CalibrateFlags {
  pairs: string;
  fmr: string;
  split?: string;
  model: string;
  save: boolean;
  json?: boolean;
}

export function registerFaces(program: Command): void {
  const faces = program.command('faces').description('face galleries (enrolled people) and the match threshold of a face descriptor');
  faces
    .command('enrol')
    .description('embed the largest face of each photo (or of frames spread over a video) into a gallery')
    .argument('<name>', 'gallery name (saved under $PATCHLAB_HOME/galleries)')
    .argument('<inputs...>', 'photos of one person, or videos of them')
    .option('--frames <n>', 'frames taken from each video, spread over its length', '8')
    .option('--model <model>', 'face descriptor model', 'faceres')
    .option('--json', 'print the gallery summary as JSON')
    .action(async (name: string, inputs: string[], opts: EnrolFlags) => {
      const frames = parsePositiveInt('--frames', opts.frames);
      const models = await zooFaceModels(opts.model);
      const gallery = await enrolGallery(name, inputs, models, { frames, onNote: note });
      const summary = { name: gallery.name, model: gallery.model, faces: gallery.entries.length, skipped: gallery.skipped };
      if (opts.json) return printJson(summary);
      println(`gallery ${name}: ${gallery.entries.length} face(s) enrolled with ${gallery.model}${gallery.skipped.length ? `; ${gallery.skipped.length} input(s) without a face left out` : ''}`);
    });
  faces
    .command('list')
    .description('saved galleries')
    .option('--json', 'print as JSON')
    .action((opts: { json?: boolean }) => {
      const all = listGalleries().map((g) => ({ name: g.name, model: g.model, faces: g.entries.length, created: g.created }));
      if (opts.json) return printJson(all);
      if (all.length === 0) return println('no galleries yet (patchlab faces enrol NAME PHOTOS...)');
      println(table([['name', 'model', 'faces', 'created'], ...all.map((g) => [g.name, g.model, String(g.faces), g.created])]));
    });
  faces
    .command('calibrate')
    .description("measure the descriptor's same-person and different-person similarities on real photos and store its match thresholds")
    .requiredOption('--pairs <dir>', 'a folder with one subfolder of photos per person')
    .option('--fmr <rates>', 'false-match rates to set thresholds for (comma-separated)', '0.01,0.001')
    .option('--split <names>', 'only photos inside subfolders with these names (e.g. train,val,enrol)')
    .option('--model <model>', 'face descriptor model', 'faceres')
    .option('--no-save', 'only report; do not store the thresholds with the model')
    .option('--json', 'print as JSON')
    .action(async (opts: CalibrateFlags) => {
      const fmrs = opts.fmr.split(',').map((s) => parseNumber('--fmr', s));
      for (const f of fmrs) if (!(f > 0 && f < 1)) throw new UserError(`--fmr: ${f} is not a rate between 0 and 1`);
      const models = await zooFaceModels(opts.model);
      const calibration = await calibrateOnPhotos(opts.pairs, models, { fmrs, splits: opts.split?.split(','), onNote: note });
      const file = opts.save ? saveCalibration(calibration) : undefined;
      if (opts.json) return printJson({ ...calibration, ...(file ? { file } : {}) });
      println(`${calibration.model}: ${calibration.photos} photos of ${calibration.identities} people; ${calibration.genuinePairs} same-person and ${calibration.impostorPairs} different-person pairs`);
      println(table([['FMR', 'threshold', 'from', 'TMR', 'measured FMR'], ...calibration.points.map((p) => [`${p.fmr * 100}%`, p.threshold.toFixed(3), p.from, `${(p.tmr * 100).toFixed(1)}%`, `${(p.measuredFmr * 100).toFixed(2)}%`])]));
      if (file) println(`stored: ${file} (the FMR ${0.01 * 100}% threshold is now the default match threshold for this model)`);
    });
}

/** `patchlab eval RUN --probes DIR --wearer G [--impersonate G] [--gallery A,B] [--threshold T]`. */
export async function evalOnGallery(run: string, f: { probes?: string; gallery?: string; wearer?: string; impersonate?: string; threshold?: string; out?: string; seed?: string; json?: boolean }): Promise<void> {
  if (!f.wearer) throw new UserError("--probes needs --wearer GALLERY (the wearer's enrolled gallery)");
  const report = await evaluateOnGallery(run, {
    probes: f.probes ?? '',
    wearer: f.wearer,
    ...(f.impersonate ? { target: f.impersonate } : {}),
    ...(f.gallery ? { galleries: f.gallery.split(',').filter(Boolean) } : {}),
    ...(f.threshold ? { threshold: parseNumber('--threshold', f.threshold) } : {}),
    ...(f.out ? { out: f.out } : {}),
    ...(f.seed ? { seed: parsePositiveInt('--seed', f.seed) } : {}),
  });
  if (f.json) return printJson(report);
  const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;
  println(`${report.model}, goal ${report.goal}: ${report.probes} probe photo(s) of ${report.wearer}${report.target ? ` impersonating ${report.target}` : ''}, against ${report.galleries.length} galleries, match at similarity >= ${report.threshold.toFixed(3)}`);
  const rows = [['', report.goal === 'impersonate' ? 'impersonated' : 'dodged', 'not detected', `rank-1 ${report.wearer}`, 'sim. wearer', ...(report.target ? ['sim. target'] : [])]];
  for (const v of GALLERY_VARIANTS) {
    const r = report.variants[v];
    rows.push([v, pct(report.rates[v].success), pct(report.rates[v].notDetected), pct(report.rates[v].rank1Wearer), r.meanWearerSimilarity.toFixed(3), ...(r.meanTargetSimilarity !== undefined ? [r.meanTargetSimilarity.toFixed(3)] : [])]);
  }
  println(table(rows));
  for (const s of report.skipped) println(`note: ${s}: no face on the clean photo; left out`);
  println(`wrote ${report.files.join(', ')}`);
}
