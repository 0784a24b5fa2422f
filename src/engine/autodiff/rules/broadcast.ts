import type { Emitter } from '../emitter';

/**
 * Sums a gradient of the broadcast shape `from` back to an operand of shape `to` (numpy
 * broadcasting: leading axes added, size-1 axes stretched).
 */
export function unbroadcast(emit: Emitter, grad: string, from: readonly number[], to: readonly number[]): string {
  if (from.length === to.length && from.every((d, i) => d === to[i])) return grad;
  const lead = from.length - to.length;
  const axes: number[] = [];
  for (let i = 0; i < from.length; i++) {
    if (i < lead || (to[i - lead] === 1 && from[i] !== 1)) axes.push(i);
  }
  const summed = axes.length > 0 ? emit.reduceSum(grad, axes, true) : grad;
  return lead > 0 || axes.length === 0 ? emit.reshape(summed, to) : summed;
}

/** The numpy broadcast of several shapes. */
export function broadcastShape(shapes: readonly (readonly number[])[]): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    let d = 1;
    for (const s of shapes) {
      const v = s[i - (rank - s.length)] ?? 1;
      if (v !== 1) d = v;
    }
    out.push(d);
  }
  return out;
}
