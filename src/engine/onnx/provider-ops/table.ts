import { DEVICES, type Device } from '../../../shared/devices';
import type { DataType } from '../../tensor/tensor';

/** The accelerators patchlab can ask onnxruntime for: every `--device` but auto and cpu. */
export type Accelerator = Exclude<Device, 'auto' | 'cpu'>;
export const ACCELERATORS: readonly Accelerator[] = DEVICES.filter((d): d is Accelerator => d !== 'auto' && d !== 'cpu');

/**
 * One kernel a provider registers: ONNX domain ('' is ai.onnx), op type, the first and last
 * opset it covers (null: open-ended), the element types it takes when the source names them
 * (absent: whatever the op allows), and which input those types constrain (default 0).
 */
export type KernelEntry = [domain: string, opType: string, since: number, until: number | null, types?: DataType[], typeInput?: number];

/**
 * A per-node check a provider makes beyond its kernel list, written as data:
 * - symmetric: the int list attribute's first half equals its second half (pads);
 * - notIn / in: the attribute (or `default` when absent) must not / must be one of `values`;
 * - constant: the input, when present, must be an initializer or folded from initializers at load;
 * - maxOutputs: at most `count` outputs may be used;
 * - zeros: the int list attribute, when present, is all zeros.
 */
export interface NodeCondition {
  op: string;
  rule: 'symmetric' | 'notIn' | 'in' | 'constant' | 'maxOutputs' | 'zeros';
  attribute?: string;
  values?: (string | number)[];
  default?: string | number;
  input?: number;
  count?: number;
  why: string;
}

/** What one provider of one onnxruntime version runs; data only, read from onnxruntime itself. */
export interface KernelTable {
  provider: Accelerator;
  /** A provider option the table assumes, when not the default (CoreML's MLProgram format). */
  variant?: string;
  /** The onnxruntime version the table describes. */
  onnxruntime: string;
  /** Where it was read from (repository, path, commit, or the binary), so the next version can be refreshed. */
  source: string;
  /**
   * 'kernels': a node runs there when a kernel matches its domain, op and schema version, as
   * onnxruntime's kernel lookup matches them; 'builder' (CoreML, TensorRT): the provider converts
   * the op types it lists, whatever the opset.
   */
  kind: 'kernels' | 'builder';
  /** The domains the table lists; nodes of other domains are reported as not covered, not as fallbacks. */
  domains: string[];
  /** Conditions the table cannot express, one line each. */
  notes?: string[];
  conditions?: NodeCondition[];
  kernels: KernelEntry[];
}
