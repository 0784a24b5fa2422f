/**
 * Writes a provider's kernel table from the onnxruntime library that onnxruntime-node ships.
 * The macOS build keeps its local symbols, and every registered kernel leaves one there: the
 * `BuildKernelCreateInfo<kWebGpuExecutionProvider_Conv_kOnnxDomain_ver11_21>` that its
 * registry calls. So the table is what that exact build registers, not what some commit's
 * source says. Re-run after upgrading onnxruntime-node:
 *
 *   npx tsx scripts/provider-ops/kernels-from-binary.ts webgpu
 *
 * (CUDA, DirectML and CoreML are not in a binary with symbols here: see their tables' `source`.)
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { kernelsFromSymbols } from '../../src/engine/onnx/provider-ops/symbols';
import type { KernelEntry } from '../../src/engine/onnx/provider-ops/table';

const PROVIDER_CLASS: Record<string, string> = { webgpu: 'kWebGpuExecutionProvider' };

/** Where the rows the symbols miss were read. */
const SOURCE: Record<string, string> = {
  webgpu: 'microsoft/onnxruntime@ddcc738288911053ff0282e0ddd05e5493666ac8 onnxruntime/core/providers/webgpu/webgpu_execution_provider.cc, RegisterKernels (ai.onnx and NHWC rows)',
};

/** What the symbols cannot say: kernel type constraints live in code, not in names. */
const NOTES: Record<string, string[]> = {
  webgpu: [
    'element types are checked only where a kernel is registered per type (Clip); most WebGPU kernels take float32, float16, int32 and uint32',
    'int64 Cast, Range, Unsqueeze, Expand and ConstantOfShape kernels are registered only when the session enables int64 (enable_int64, on with graph capture); patchlab does not set it',
    'no WebGPU kernel for Sum, Max, Min, Mean or LogSoftmax in that source',
    'com.ms.internal.nhwc kernels are what onnxruntime rewrites Conv, ConvTranspose, pooling and Resize into when the provider prefers NHWC; nodes are matched by their own domain',
  ],
};

const provider = process.argv[2] ?? 'webgpu';
const prefix = PROVIDER_CLASS[provider];
if (!prefix) throw new Error(`no symbol prefix known for ${provider} (known: ${Object.keys(PROVIDER_CLASS).join(', ')})`);
const require = createRequire(import.meta.url);
const packageDir = dirname(require.resolve('onnxruntime-node/package.json'));
const version = (JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string }).version;
const library = join('bin', 'napi-v6', 'darwin', 'arm64', `libonnxruntime.${version}.dylib`);
const fromSymbols = kernelsFromSymbols(readFileSync(join(packageDir, library)).toString('latin1'), prefix);
if (fromSymbols.length === 0) throw new Error(`${library}: no ${prefix} kernel symbols (stripped build?)`);
const out = join('src', 'engine', 'onnx', 'provider-ops', `${provider}.json`);
// The linker folds some registrations away (Add, Mul, Cast... leave no symbol), so rows read from the
// provider's source (see the table's `source`) stay; the symbols add what that build registers beyond them.
const previous = existsSync(out) ? (JSON.parse(readFileSync(out, 'utf8')) as { kernels: KernelEntry[] }).kernels : [];
const key = (k: KernelEntry) => `${k[0]}/${k[1]}/${k[2]}/${k[3]}`;
const kernels = [...new Map([...previous, ...fromSymbols].map((k) => [key(k), k])).values()].sort(
  (a, b) => a[0].localeCompare(b[0]) || a[1].localeCompare(b[1]) || a[2] - b[2],
);
const table = {
  provider,
  onnxruntime: version,
  source: `${SOURCE[provider]}, merged with the symbols of ${prefix} kernel registrations in onnxruntime-node ${version}'s node_modules/onnxruntime-node/${library} (scripts/provider-ops/kernels-from-binary.ts; the same provider source is built into the Linux and Windows libraries)`,
  kind: 'kernels',
  domains: [...new Set(kernels.map((k) => k[0]))].sort(),
  notes: NOTES[provider] ?? [],
  kernels,
};
writeFileSync(out, JSON.stringify(table, null, 0).replace(/\],\[/g, '],\n[') + '\n');
console.log(`${out}: ${kernels.length} kernels`);
