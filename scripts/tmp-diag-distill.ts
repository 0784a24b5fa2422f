import { gradientClassifierForModel } from '../src/engine/attacks/digital/model-classifier';
import { loadModel } from '../src/engine/models/loaded';
import { loadFashionMnist, makeBatch } from '../src/engine/train/data';
import { replicate } from '../src/engine/train/teacher';
import { pgdMargin, AscentMargin } from '../src/engine/evaluate/robust-attacks';

const file = process.argv[2];
const n = Number(process.argv[3] ?? 200);
const steps = Number(process.argv[4] ?? 100);
const data = loadFashionMnist('test');
const idx = Uint32Array.from({ length: n }, (_, i) => i);
const labels = [...idx].map((i) => data.labels[i]);
const x0 = replicate(makeBatch(data, idx, 'none'));
const clf = await gradientClassifierForModel(await loadModel(file));
const z = await clf.logits(x0);
const c = 10;
const margins: number[] = [];
let maxAbs = 0;
for (let i = 0; i < n; i++) {
  const row = z.data.subarray(i * c, (i + 1) * c);
  for (const v of row) maxAbs = Math.max(maxAbs, Math.abs(v));
  const s = [...row].sort((a, b) => b - a);
  margins.push(s[0] - s[1]);
}
margins.sort((a, b) => a - b);
console.log('max |z|', maxAbs.toFixed(1), 'top1-top2 margin quartiles', [0.1, 0.25, 0.5, 0.75, 0.9].map((q) => margins[Math.floor(q * n)].toFixed(2)).join(' '));
const g = await clf.gradient(x0, new AscentMargin(labels, 1e9));
let zeros = 0;
const size = g.grad.data.length / n;
const norms: number[] = [];
for (let i = 0; i < n; i++) {
  let s = 0;
  for (let k = 0; k < size; k++) s += Math.abs(g.grad.data[i * size + k]);
  norms.push(s);
  if (s === 0) zeros++;
}
console.log('zero-gradient samples', zeros, 'L1 grad median', [...norms].sort((a, b) => a - b)[Math.floor(n / 2)]);
for (const eps of [0.05, 0.1, 0.2]) {
  const adv = await pgdMargin(clf, x0, labels, eps, steps, 0);
  const za = await clf.logits(adv);
  const zc = z;
  let ok = 0;
  for (let i = 0; i < n; i++) {
    const am = (t: Float32Array) => { let b = 0; for (let j = 1; j < c; j++) if (t[i * c + j] > t[i * c + b]) b = j; return b; };
    if (am(za.data) === labels[i] && am(zc.data) === labels[i]) ok++;
  }
  console.log(`eps ${eps} margin-PGD-${steps}: ${(100 * ok / n).toFixed(1)}%`);
}
await clf.dispose();
