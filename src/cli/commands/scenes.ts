import type { Command } from 'commander';
import { targetFromModel } from '../../engine/attacks/physical/model-target';
import { loadModel } from '../../engine/models/loaded';
import { addScenes } from '../../engine/scenes/add';
import { detectInSet } from '../../engine/scenes/detect';
import { checkSetName, readManifest, setsRoot, SPLITS, writeManifest, type Split } from '../../engine/scenes/manifest';
import { assignSplits, countSplits, SPLIT_WEIGHTS } from '../../engine/scenes/split';
import { movenetEstimator, poseInSet } from '../../engine/scenes/pose';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../engine/errors';
import { note, printJson, println, table } from '../output';
import { parseChoice, parseList, parseNonNegativeInt, parseNumber, parsePositiveInt } from '../parse';

interface AddFlags {
  set: string;
  every?: string;
  fps?: string;
  maxSide?: string;
  split?: string;
  source?: string;
  seed?: string;
  model?: string;
  class?: string;
  duplicateBits?: string;
  json?: boolean;
}

/** `patchlab scenes add|detect|split|info|list`: scene sets with provenance, splits by source and stored detections. */
export function registerScenes(program: Command): void {
  const scenes = program.command('scenes').description('scene sets: photos and video frames with provenance, train/val/test split by source, stored detections');
  scenes
    .command('add')
    .description('add photos, folders and video frames to a set ($PATCHLAB_HOME/scenes/NAME); near-duplicates are skipped')
    .argument('<inputs...>', 'image files, folders, or videos')
    .requiredOption('--set <name>', 'scene set to add to (made if new)')
    .option('--every <n>', 'videos: keep one frame in N')
    .option('--fps <f>', 'videos: frames per second to keep (default 1)')
    .option('--max-side <px>', 'store scenes downscaled to this longer side (1024)')
    .option('--split <split>', `put these sources in one split (${SPLITS.join('|')}) instead of drawing it`)
    .option('--source <name>', 'one source name for everything added here (e.g. crops of one photo), so they share a split')
    .option('--seed <n>', 'seed of the split draw, for a new set (1)')
    .option('--duplicate-bits <n>', 'pictures within this many bits (of 256) of one in the set are skipped (16; 0 = identical hashes only)')
    .option('--model <model>', 'detect objects once after adding (e.g. centernet)')
    .option('--class <class>', 'class to detect with --model (e.g. person)')
    .option('--json', 'print the manifest summary as JSON')
    .action(async (inputs: string[], f: AddFlags) => {
      if (f.model && !f.class) throw new UserError('--model needs --class (e.g. --class person)');
      const result = await addScenes(inputs, {
        set: f.set,
        every: f.every ? parsePositiveInt('--every', f.every) : undefined,
        fps: f.fps ? parseNumber('--fps', f.fps) : undefined,
        maxSide: f.maxSide ? parsePositiveInt('--max-side', f.maxSide) : undefined,
        split: f.split ? parseChoice('--split', f.split, SPLITS) : undefined,
        source: f.source,
        seed: f.seed ? parseNonNegativeInt('--seed', f.seed) : undefined,
        duplicateBits: f.duplicateBits ? parseNonNegativeInt('--duplicate-bits', f.duplicateBits) : undefined,
        onScene: (m) => note(m),
      });
      note(`${result.added} scene(s) added, ${result.duplicates} duplicate(s) skipped`);
      if (f.model && f.class) await detect(f.set, f.model, f.class);
      printInfo(f.set, f.json);
    });
  scenes
    .command('detect')
    .description("run a detector once over a set and store its boxes, so attacks and evaluations need not detect again")
    .argument('<set>', 'scene set name')
    .requiredOption('--model <model>', 'detector (e.g. centernet)')
    .requiredOption('--class <class>', 'class to store (e.g. person)')
    .option('--json', 'print the summary as JSON')
    .action(async (set: string, f: { model: string; class: string; json?: boolean }) => {
      await detect(set, f.model, f.class);
      printInfo(set, f.json);
    });
  scenes
    .command('pose')
    .description("run movenet once on every stored person and keep their keypoints (torso placement reads them)")
    .argument('<set>', 'scene set name (detect people first)')
    .action(async (set: string) => {
      const estimator = await movenetEstimator();
      let last = 0;
      try {
        await poseInSet(checkSetName(set), estimator, (done, total) => {
          if (done - last >= 50 || done === total) {
            note(`pose: ${done}/${total} scenes`);
            last = done;
          }
        });
      } finally {
        await estimator.dispose();
      }
      printInfo(set);
    });
  scenes
    .command('split')
    .description('deal the sources again into train/val/test (whole sources, seeded), balancing detected people when known')
    .argument('<set>', 'scene set name')
    .option('--seed <n>', 'seed of the draw')
    .option('--fractions <t,v,s>', 'shares of train, val and test (0.6,0.2,0.2)')
    .option('--by <what>', `balance ${SPLIT_WEIGHTS.join(', ')} (people once detected; sources: every place and person group counts once)`)
    .option('--keep <splits>', 'leave these splits as they are and deal the other sources among the rest (e.g. test: a test split already measured stays untouched)')
    .option('--json', 'print the summary as JSON')
    .action((set: string, f: { seed?: string; fractions?: string; by?: string; keep?: string; json?: boolean }) => {
      const manifest = readManifest(checkSetName(set));
      if (f.seed) manifest.seed = parseNonNegativeInt('--seed', f.seed);
      if (f.fractions) {
        const [train, val, test] = parseList('--fractions', f.fractions, 3);
        if (train + val + test <= 0 || [train, val, test].some((x) => x < 0)) throw new UserError('--fractions: three shares >= 0, not all 0');
        manifest.fractions = { train, val, test };
      }
      const by = f.by ? parseChoice('--by', f.by, SPLIT_WEIGHTS) : manifest.detector ? 'people' : 'scenes';
      if (by === 'people' && !manifest.detector) throw new UserError(`--by people: set '${set}' has no detections yet (patchlab scenes detect ${set} --model M --class C)`);
      const keep = new Set(f.keep ? f.keep.split(',').map((x) => parseChoice('--keep', x.trim(), SPLITS)) : []);
      if (!SPLITS.some((split) => !keep.has(split) && manifest.fractions[split] > 0)) throw new UserError(`--keep ${f.keep}: no split left to deal to (the others' --fractions shares are 0)`);
      assignSplits(manifest, by, undefined, keep);
      writeManifest(manifest);
      printInfo(set, f.json);
    });
  scenes
    .command('info')
    .description('a set\'s scenes and people per split, its sources and detector')
    .argument('<set>', 'scene set name')
    .option('--json', 'print as JSON')
    .action((set: string, f: { json?: boolean }) => printInfo(set, f.json));
  scenes
    .command('list')
    .description('scene sets under $PATCHLAB_HOME/scenes')
    .option('--json', 'print as JSON')
    .action((f: { json?: boolean }) => {
      const root = setsRoot();
      const names = existsSync(root) ? readdirSync(root).filter((n) => existsSync(join(root, n, 'manifest.json'))).sort() : [];
      const rows = names.map((n) => {
        const m = readManifest(n);
        const c = countSplits(m);
        return { name: n, scenes: m.scenes.length, sources: Object.keys(m.sources).length, people: m.detector ? m.scenes.reduce((a, s) => a + (s.objects?.length ?? 0), 0) : undefined, splits: c };
      });
      if (f.json) return printJson(rows);
      if (rows.length === 0) return println(`no scene sets in ${root} (patchlab scenes add FILES --set NAME)`);
      println(table([['set', 'scenes', 'sources', 'objects'], ...rows.map((r) => [r.name, String(r.scenes), String(r.sources), r.people === undefined ? '-' : String(r.people)])]));
    });
}

async function detect(set: string, model: string, className: string): Promise<void> {
  const target = targetFromModel(await loadModel(model));
  let last = 0;
  await detectInSet(target, {
    set,
    className,
    onProgress: (done, total) => {
      if (done - last >= 50 || done === total) {
        note(`detect: ${done}/${total} scenes`);
        last = done;
      }
    },
  });
}

function printInfo(set: string, json?: boolean): void {
  const m = readManifest(checkSetName(set));
  const counts = countSplits(m);
  if (json) return printJson({ name: m.name, seed: m.seed, fractions: m.fractions, detector: m.detector, splits: counts, scenes: m.scenes.length, sources: Object.keys(m.sources).length });
  println(`scene set ${m.name}: ${m.scenes.length} scene(s) from ${Object.keys(m.sources).length} source(s), split seed ${m.seed}`);
  println(m.detector ? `objects: ${m.detector.class} by ${m.detector.model} (score >= ${m.detector.minScore})${m.detector.pose ? `, keypoints by ${m.detector.pose.model}` : ''}` : 'objects: not detected yet (patchlab scenes detect)');
  const rows = SPLITS.map((s: Split) => [s, String(counts[s].sources), String(counts[s].scenes), counts[s].people === undefined ? '-' : String(counts[s].people)]);
  println(table([['split', 'sources', 'scenes', m.detector?.class ?? 'objects'], ...rows]));
}
