import { describe, expect, it } from 'vitest';
import { kernelsFromSymbols } from '../../../../src/engine/onnx/provider-ops/symbols';
import { ACCELERATORS } from '../../../../src/engine/onnx/provider-ops/table';
import { KERNEL_TABLES, ONNX_SCHEMA_VERSIONS } from '../../../../src/engine/onnx/provider-ops/tables';

/** ai.onnx-domain names providers register that are not (or no longer) ONNX schemas. */
const NOT_ONNX = new Set(['MemcpyFromHost', 'MemcpyToHost', 'Affine', 'Crop', 'ImageScaler', 'ParametricSoftplus', 'ScaledTanh', 'DynamicSlice', 'LayerNormalization', 'SimplifiedLayerNormalization']);

describe('provider tables', () => {
  for (const provider of ACCELERATORS) {
    it(`${provider}: well-formed rows naming real ONNX ops, with a source`, () => {
      const table = KERNEL_TABLES[provider];
      expect(table.provider).toBe(provider);
      expect(table.onnxruntime).toBe('1.30.0');
      expect(table.source.length).toBeGreaterThan(40);
      expect(table.kernels.length).toBeGreaterThan(25);
      const unknown = new Set<string>();
      for (const [domain, op, since, until] of table.kernels) {
        expect(table.domains).toContain(domain);
        expect(since).toBeGreaterThanOrEqual(1);
        if (until !== null) expect(until).toBeGreaterThanOrEqual(since);
        // A typo in a transcribed table would name an op ONNX does not have.
        if (domain === '' && !ONNX_SCHEMA_VERSIONS.ops[op] && !NOT_ONNX.has(op)) unknown.add(op);
      }
      expect([...unknown]).toEqual([]);
    });
  }

  it('kernel tables start each ai.onnx kernel at a schema version onnx knows', () => {
    const off: string[] = [];
    for (const provider of ['cuda', 'dml', 'webgpu'] as const) {
      for (const [domain, op, since] of KERNEL_TABLES[provider].kernels) {
        const versions = ONNX_SCHEMA_VERSIONS.ops[op];
        // An open-ended kernel that starts between schema versions would never match a node.
        if (domain === '' && versions && since > 1 && !versions.includes(since) && since > Math.min(...versions)) off.push(`${provider} ${op} ${since}`);
      }
    }
    expect(off).toEqual([]);
  });
});

describe('kernelsFromSymbols', () => {
  it("reads onnxruntime kernel class names out of mangled symbols, merging a kernel's typed registrations", () => {
    // As the C++ mangling writes them: the class name's length, then the name.
    const mangled = (ns: string, name: string) => `__ZN11onnxruntime${ns}21BuildKernelCreateInfoINS0_${name.length}${name}EEENS_16KernelCreateInfoEv`;
    const symbols = [
      mangled('6webgpu', 'kWebGpuExecutionProvider_Conv_kOnnxDomain_ver11_21'),
      mangled('6webgpu', 'kWebGpuExecutionProvider_Conv_kOnnxDomain_ver22'),
      mangled('6webgpu', 'kWebGpuExecutionProvider_Clip_kOnnxDomain_ver13_float'),
      mangled('6webgpu', 'kWebGpuExecutionProvider_Clip_kOnnxDomain_ver13_MLFloat16'),
      mangled('6webgpu', 'kWebGpuExecutionProvider_MaxPool_kMSInternalNHWCDomain_ver12'),
      mangled('', 'kCpuExecutionProvider_Mul_kOnnxDomain_ver7_12_float'),
    ].join('\0');
    expect(kernelsFromSymbols(symbols, 'kWebGpuExecutionProvider')).toEqual([
      ['', 'Clip', 13, null, ['float16', 'float32']],
      ['', 'Conv', 11, 21],
      ['', 'Conv', 22, null],
      ['com.ms.internal.nhwc', 'MaxPool', 12, null],
    ]);
  });
});
