/**
 * Where a gradient graph spends its time: builds the graph an attack would run (the hide loss on
 * a detector's heatmap, or cross-entropy on a classifier), runs it under onnxruntime's profiler
 * and prints the time per op type and the slowest nodes as Markdown tables.
 * `npm run bench` uses the same machinery (scripts/bench/gradient-profile.ts) for its profiles.
 *
 *   npx tsx scripts/profile-gradient.ts --model centernet [--batch 1] [--runs 10] [--threads 2] [--forward] [--top 15]
 *   npx tsx scripts/profile-gradient.ts --model ~/.cache/patchlab/bench/resnet18.onnx --batch 8
 */
import { parseArgs } from 'node:util';
import { profileGradient } from './bench/gradient-profile';
import { closeSharedSessionWorkers } from '../src/engine/onnx/session-workers/pool';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'centernet' },
    batch: { type: 'string', default: '1' },
    runs: { type: 'string', default: '10' },
    threads: { type: 'string', default: '2' },
    forward: { type: 'boolean', default: false },
    top: { type: 'string', default: '15' },
  },
});

const p = await profileGradient({ model: values.model!, batch: Number(values.batch), runs: Number(values.runs), threads: Number(values.threads), forward: values.forward });
console.log(`${p.label}: ${p.forwardOnly ? 'forward' : 'forward + input gradient'}, batch ${p.batch}, ${p.threads} threads, ${p.runs} runs: ${p.wallMs.toFixed(1)} ms wall per run, ${p.kernelMs.toFixed(1)} ms of kernel time per run\n`);
console.log('| op type | ms per run | share | nodes |');
console.log('| --- | ---: | ---: | ---: |');
for (const t of p.byType) {
  if (t.ms < 0.05) continue;
  console.log(`| ${t.op} | ${t.ms.toFixed(2)} | ${((100 * t.ms) / p.kernelMs).toFixed(1)}% | ${t.nodes} |`);
}
console.log('\n| slowest nodes | op | ms per run | output |');
console.log('| --- | --- | ---: | --- |');
const only = process.env.PROFILE_OP;
for (const n of p.byNode.filter((n) => !only || n.op === only).slice(0, Number(values.top))) {
  console.log(`| ${n.name.slice(0, 60)} | ${n.op} | ${n.ms.toFixed(2)} | ${n.shape} |`);
}
// Session workers run from sources keep the process alive; the script is done.
await closeSharedSessionWorkers();
