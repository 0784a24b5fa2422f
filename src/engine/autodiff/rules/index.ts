import { activationRules } from './activations';
import { arithmeticRules } from './arithmetic';
import { convRules } from './conv';
import { matmulRules } from './matmul';
import { normalizationRules } from './normalization';
import { poolingRules } from './pooling';
import { reduceRules } from './reduce';
import { resizeRules } from './resize';
import { shapeRules } from './shape';
import { slicingRules } from './slicing';
import { softmaxRules } from './softmax';
import type { RuleTable } from './types';
import { unaryMathRules } from './unary-math';

/** Every gradient rule, by ONNX op type (default domain). */
export const GRADIENT_RULES: RuleTable = {
  ...arithmeticRules,
  ...unaryMathRules,
  ...activationRules,
  ...softmaxRules,
  ...convRules,
  ...poolingRules,
  ...matmulRules,
  ...normalizationRules,
  ...reduceRules,
  ...shapeRules,
  ...slicingRules,
  ...resizeRules,
};

export function supportedOps(): string[] {
  return Object.keys(GRADIENT_RULES).sort();
}
