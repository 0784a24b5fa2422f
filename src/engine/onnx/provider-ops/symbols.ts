import type { DataType } from '../../tensor/tensor';
import type { KernelEntry } from './table';

/** onnxruntime's domain constants as they appear in kernel class names. */
const DOMAINS: Record<string, string> = {
  kOnnxDomain: '',
  kMLDomain: 'ai.onnx.ml',
  kMSDomain: 'com.microsoft',
  kMSNchwcDomain: 'com.microsoft.nchwc',
  kMSInternalNHWCDomain: 'com.ms.internal.nhwc',
  kMSDmlDomain: 'com.microsoft.dml',
  kPytorchAtenDomain: 'org.pytorch.aten',
};

/** C++ element types in typed kernel names -> ours. */
const TYPES: Record<string, DataType> = {
  float: 'float32',
  double: 'float64',
  MLFloat16: 'float16',
  BFloat16: 'bfloat16',
  int8_t: 'int8',
  uint8_t: 'uint8',
  int16_t: 'int16',
  uint16_t: 'uint16',
  int32_t: 'int32',
  uint32_t: 'uint32',
  int64_t: 'int64',
  uint64_t: 'uint64',
  bool: 'bool',
};

/**
 * Kernels from onnxruntime kernel class names found in a binary's symbol table. The names come
 * from ONNX_OPERATOR_[VERSIONED_][TYPED_]KERNEL_CLASS_NAME: `<provider>_<op>_<domain>_ver<since>
 * [_<until>][_<type>]`, length-prefixed by the C++ mangling, which tells where each one ends.
 */
export function kernelsFromSymbols(text: string, providerClass: string): KernelEntry[] {
  const names = new Set<string>();
  const mangled = new RegExp(`(\\d+)(${providerClass}_)`, 'g');
  for (const m of text.matchAll(mangled)) {
    const start = (m.index ?? 0) + m[1].length;
    names.add(text.slice(start, start + Number(m[1])));
  }
  const pattern = new RegExp(`^${providerClass}_(\\w+?)_(k[A-Za-z]+Domain)_ver(\\d+)(?:_(\\d+))?(?:_(\\w+))?$`);
  const merged = new Map<string, { entry: KernelEntry; types: Set<DataType> | null }>();
  for (const name of names) {
    const m = pattern.exec(name);
    if (!m || !(m[2] in DOMAINS)) continue;
    const [, op, domainToken, since, until, type] = m;
    const key = `${domainToken}/${op}/${since}/${until ?? ''}`;
    const entry = merged.get(key) ?? { entry: [DOMAINS[domainToken], op, Number(since), until ? Number(until) : null] as KernelEntry, types: new Set<DataType>() };
    // An untyped registration takes every type its op allows; typed ones add up.
    if (type === undefined || !(type in TYPES)) entry.types = null;
    else entry.types?.add(TYPES[type]);
    merged.set(key, entry);
  }
  return [...merged.values()]
    .map(({ entry, types }): KernelEntry => (types && types.size > 0 ? [entry[0], entry[1], entry[2], entry[3], [...types].sort()] : entry))
    .sort((a, b) => a[0].localeCompare(b[0]) || a[1].localeCompare(b[1]) || a[2] - b[2]);
}
