import { buildArchitecture } from '../src/engine/train/arch';
import { parametersOf } from '../src/engine/train/parameters';
import { TrainingGraph } from '../src/engine/train/training-graph';
import { floatTensor } from '../src/engine/tensor/tensor';
async function main() {
  const core = buildArchitecture('cnn', { classes: 10, size: 28, seed: 1 });
  const params = parametersOf(core, 10);
  const B = 128;
  const x = floatTensor([B, 1, 28, 28], Float32Array.from({ length: B * 784 }, () => Math.random()));
  const t = new Float32Array(B * 10); for (let b = 0; b < B; b++) t[b * 10 + (b % 10)] = 1;
  const targets = floatTensor([B, 10], t);
  for (const wg of [true, false]) {
    const g = await TrainingGraph.create(core, params, { batch: B, objective: { kind: 'soft-ce', temperature: 1 }, weightGradients: wg, threads: 1 });
    await g.run(x, targets, params);
    const c0 = process.cpuUsage(); const w0 = Date.now();
    for (let i = 0; i < 5; i++) await g.run(x, targets, params);
    const c = process.cpuUsage(c0);
    console.log(`weightGradients=${wg}: cpu ${((c.user + c.system) / 5000).toFixed(0)} ms/step, wall ${((Date.now() - w0) / 5).toFixed(0)} ms`);
    await g.release();
  }
}
main();
