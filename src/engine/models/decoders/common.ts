import { UserError } from '../../errors';
import type { HostTensor } from '../../tensor/tensor';
import type { DecodeContext } from './index';

/** The output a detector head maps to `role` (falls back to `fallback`). */
export function roleOutput(outputs: Record<string, HostTensor>, ctx: DecodeContext, role: string): HostTensor {
  const head = ctx.model.head;
  const name = head.kind === 'detector' ? head.outputs[role] : undefined;
  if (!name) throw new UserError(`${ctx.model.label}: the detector head names no output for '${role}'`);
  const tensor = outputs[name];
  if (!tensor) throw new UserError(`${ctx.model.label}: no output '${name}' (for '${role}'; outputs: ${Object.keys(outputs).join(', ')})`);
  return tensor;
}

export function numberOption(ctx: DecodeContext, name: string, fallback: number): number {
  const value = ctx.options[name];
  return typeof value === 'number' ? value : fallback;
}

/** Batch entry `index` of a float output as a view. */
export function batchSlice(t: HostTensor, index: number): Float32Array {
  const per = t.data.length / (t.dims[0] ?? 1);
  return (t.data as Float32Array).subarray(index * per, (index + 1) * per);
}
