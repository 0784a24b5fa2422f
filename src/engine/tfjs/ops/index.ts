import type { OpHandler } from './common';
import { convOps } from './conv';
import { elementwiseOps } from './elementwise';
import { gatherOps } from './gather';
import { matmulOps } from './matmul';
import { normOps } from './norm';
import { poolOps } from './pool';
import { reduceOps } from './reduce';
import { resizeOps } from './resize';
import { shapeOps } from './shape';
import { sliceOps } from './slice';
import { spaceOps } from './space';

/** Every TF op the converter maps to ONNX, by TF op name. */
export const HANDLERS: Record<string, OpHandler> = {
  ...convOps,
  ...poolOps,
  ...elementwiseOps,
  ...reduceOps,
  ...shapeOps,
  ...sliceOps,
  ...gatherOps,
  ...resizeOps,
  ...matmulOps,
  ...spaceOps,
  ...normOps,
};
