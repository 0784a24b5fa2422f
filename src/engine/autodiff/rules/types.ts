import { UserError } from '../../errors';
import type { Node } from '../../onnx/ir';
import type { Emitter, FloatType } from '../emitter';
import type { LoweringOptions } from '../lowering/options';
import type { ValueTable } from '../values';

/**
 * What a gradient rule sees: the forward node, the gradient flowing into each of its outputs,
 * the shapes and constants of the graph, and an emitter for the backward nodes. Forward values
 * (inputs and outputs of `node`) may be used freely: they stay alive in the combined graph.
 */
export interface GradContext {
  readonly node: Node;
  readonly emit: Emitter;
  readonly values: ValueTable;
  /** d(loss)/d(output k), or undefined where the loss does not depend on output k. */
  readonly dy: readonly (string | undefined)[];
  readonly lowering: LoweringOptions;
  /** Whether the loss needs d(loss)/d(input i). */
  needs(i: number): boolean;
  /** The float type of a value (what constants combined with it must be). */
  floatType(name: string): FloatType;
  /** A scalar constant of `like`'s float type. */
  scalar(value: number, like: string): string;
  /** A one-line error naming the node. */
  fail(reason: string): never;
}

/** Returns d(loss)/d(input i) for each input (undefined: no gradient or zero). */
export type GradRule = (ctx: GradContext) => (string | undefined)[];

export type RuleTable = Record<string, GradRule>;

export function nodeError(node: Node, label: string, reason: string): UserError {
  return new UserError(`${label}: ${node.opType} node '${node.name || node.outputs[0]}': ${reason}`);
}
