import type { GradRule } from './types';

/**
 * Restricts a rule to the input slots it differentiates; a gradient asked for any other slot
 * (a Conv weight computed from the image, a Clip bound on the path) is an error, not a silent zero.
 */
export function only(slots: readonly number[], rule: GradRule): GradRule {
  return (ctx) => {
    ctx.node.inputs.forEach((name, i) => {
      if (!slots.includes(i) && ctx.needs(i)) ctx.fail(`gradient w.r.t. input ${i} ('${name}') is not supported`);
    });
    return rule(ctx);
  };
}
