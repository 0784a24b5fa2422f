import { applyPrinterModel, isIdentityPrinterModel, printerModelBackward, type PrinterModel } from '../color/index';
import type { PatchColourModel } from './compositor';
import { makePlane, type Plane } from './texture';

/** The print module's printer colour model as the compositor's patch colour transform; none for the identity. */
export function printerColourModel(model: PrinterModel): PatchColourModel | undefined {
  if (isIdentityPrinterModel(model)) return undefined;
  return {
    forward(texture: Plane): Plane {
      const layout = { layout: 'planar' as const, planeSize: texture.width * texture.height };
      return makePlane(texture.width, texture.height, 3, applyPrinterModel(model, texture.data, undefined, layout));
    },
    backward(texture: Plane, grad: Float32Array): Float32Array {
      const layout = { layout: 'planar' as const, planeSize: texture.width * texture.height };
      return printerModelBackward(model, texture.data, grad, undefined, layout);
    },
  };
}
