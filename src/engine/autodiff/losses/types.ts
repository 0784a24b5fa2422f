import type { DataType } from '../../tensor/tensor';
import type { Emitter, FloatType } from '../emitter';

/** The per-call graph inputs a loss head declared, by role. */
export interface LossArgNames {
  labels?: string;
  mask?: string;
  vectors?: string;
  target?: string;
  outputGrads?: Record<string, string>;
}

export interface HeadContext {
  emit: Emitter;
  batch: number;
  /** Shape of a model value at this batch size. */
  shapeOf(name: string): number[];
  floatType(name: string): FloatType;
  /** Declares a per-call graph input and returns its name. */
  input(hint: string, type: DataType, dims: number[]): string;
  /** A one-line error about the loss. */
  fail(reason: string): never;
}

export interface LossHead {
  /** Per-sample loss, [N]. */
  loss: string;
  args: LossArgNames;
}
