import { buildArchitecture } from '../src/engine/train/arch';
import { createSession } from '../src/engine/onnx/session';
import { writeModel } from '../src/engine/onnx/write';
import { floatTensor } from '../src/engine/tensor/tensor';
async function main() {
  const core = buildArchitecture('cnn', { classes: 10, size: 28, seed: 1 });
  const B = 128;
  const x = floatTensor([B, 1, 28, 28], Float32Array.from({ length: B * 784 }, () => Math.random()));
  const s = await createSession(writeModel(core), { threads: 1 });
  await s.run({ gray: x });
  const c0 = process.cpuUsage();
  for (let i = 0; i < 5; i++) await s.run({ gray: x });
  const c = process.cpuUsage(c0);
  console.log(`forward: cpu ${((c.user + c.system) / 5000).toFixed(0)} ms`);
}
main();
