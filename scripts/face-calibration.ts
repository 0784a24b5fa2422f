/**
 * Calibrates faceres's match threshold on real pairs instead of augmented crops of one photo
 * (scripts/face-threshold.ts, which chose 0.70): every pair of distinct people among the 22
 * faces of the sample group photos is an impostor pair (230 pairs of 21 people); the one genuine
 * pair is group1-face1 / group3-face1 (the same woman in two photos). Prints the impostor
 * distribution, the thresholds for a false-match rate of 1% and 0.1% (empirical, and from a
 * normal fit, which extrapolates where 230 pairs cannot resolve 0.1%), the genuine pair's
 * similarity, and what 0.70 means on these pairs. Faces are aligned as the glasses attack enrols
 * them. Writes the numbers as JSON to OUT_DIR/calibration.json.
 *
 *   npx tsx scripts/face-calibration.ts [OUT_DIR] [--same-person 1:7]
 */
import { writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { zooFaceDetector } from '../src/engine/attacks/physical/faces';
import { targetFromModel } from '../src/engine/attacks/physical/model-target';
import { pairScores, rateAtOrAbove, thresholdForFmr } from '../src/engine/evaluate/calibration';
import { faceSimilarity } from '../src/engine/models/faces';
import { loadModel } from '../src/engine/models/loaded';
import { enrolFaces, groupFaceFiles, SAME_PERSON, samePersonPredicate } from './group-faces';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { 'same-person': { type: 'string', default: SAME_PERSON } } });
const out = positionals[0] ?? '/tmp/face-calibration';
const detect = await zooFaceDetector();
const files = await groupFaceFiles(detect, join(out, 'faces'));
const faceres = targetFromModel(await loadModel('faceres'));
const vectors = await enrolFaces(detect, files, faceres);
const similarity = vectors.map((a) => vectors.map((b) => faceSimilarity(a, b)));
const { impostor, genuine } = pairScores(similarity, samePersonPredicate(values['same-person'] ?? ''));

const sorted = [...impostor].sort((a, b) => a - b);
const q = (f: number): number => sorted[Math.min(sorted.length - 1, Math.floor(f * sorted.length))];
const mean = impostor.reduce((a, v) => a + v, 0) / impostor.length;
const thresholds = [0.01, 0.001].map((fmr) => thresholdForFmr(impostor, fmr));
const current = faceres.threshold;
const report = {
  faces: files.map((f) => basename(f)),
  impostorPairs: impostor.length,
  impostor: { min: sorted[0], p50: q(0.5), p95: q(0.95), p99: q(0.99), max: sorted[sorted.length - 1], mean },
  genuine,
  thresholds,
  atModelThreshold: { threshold: current, falseMatchRate: rateAtOrAbove(impostor, current), genuineAccepted: rateAtOrAbove(genuine, current) },
};
const f3 = (x: number): string => x.toFixed(3);
console.log(`${files.length} faces, ${impostor.length} impostor pairs, ${genuine.length} genuine pair(s)`);
console.log(`impostor similarity: min ${f3(sorted[0])} median ${f3(q(0.5))} p95 ${f3(q(0.95))} p99 ${f3(q(0.99))} max ${f3(sorted[sorted.length - 1])}`);
console.log(`genuine: ${genuine.map(f3).join(', ')}`);
for (const t of thresholds) {
  console.log(`FMR ${t.fmr * 100}%: empirical ${f3(t.empirical)}${t.resolved ? '' : ` (unresolved: fewer than ${1 / t.fmr} pairs, only "above every impostor")`}, normal fit ${f3(t.normalFit)}; genuine accepted at the fit: ${rateAtOrAbove(genuine, t.normalFit) * 100}%`);
}
console.log(`at ${current}: FMR ${f3(report.atModelThreshold.falseMatchRate * 100)}%, genuine accepted ${report.atModelThreshold.genuineAccepted * 100}%`);
writeFileSync(join(out, 'calibration.json'), JSON.stringify(report, null, 2) + '\n');
