import coreml from './coreml.json';
import coremlMlprogram from './coreml-mlprogram.json';
import cuda from './cuda.json';
import dml from './dml.json';
import schemaVersions from './onnx-op-versions.json';
import tensorrt from './tensorrt.json';
import webgpu from './webgpu.json';
import type { Accelerator, KernelTable } from './table';

/** Every accelerator's table for the onnxruntime-node version patchlab ships with. */
export const KERNEL_TABLES: Record<Accelerator, KernelTable> = {
  cuda: cuda as KernelTable,
  tensorrt: tensorrt as KernelTable,
  dml: dml as KernelTable,
  coreml: coreml as KernelTable,
  webgpu: webgpu as KernelTable,
};

/** CoreML when a session asks for the MLProgram model format (patchlab asks for the default, NeuralNetwork). */
export const COREML_MLPROGRAM: KernelTable = { ...(coremlMlprogram as KernelTable), variant: 'MLProgram' };

/** Every table to report for a provider: its default, then option variants worth knowing. */
export function tablesFor(provider: Accelerator): KernelTable[] {
  return provider === 'coreml' ? [KERNEL_TABLES.coreml, COREML_MLPROGRAM] : [KERNEL_TABLES[provider]];
}

/** For each ai.onnx op, the opsets at which its schema changed (from the onnx package). */
export const ONNX_SCHEMA_VERSIONS: { maxOpset: number; ops: Record<string, number[]> } = schemaVersions;
