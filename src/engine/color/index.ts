/**
 * Printer colour: palettes and the printer colour model. A stable interface; other rooms
 * (attacks/render for NPS and EOT, print/ for charts and calibration) import from here only.
 *
 * Palettes (JSON, `format: "patchlab-palette"`): `colors` are the RGB triplets (0-255 sRGB) the
 * printer is sent; after a calibration `measured` holds what the photo showed for each and
 * `model` the fitted printer model. Built-ins live in resources/palettes, calibrated ones in
 * $PATCHLAB_HOME/palettes/NAME.json.
 *   loadPalette(nameOrPath = 'default'): Palette      user palettes shadow built-ins of the same name
 *   defaultPalette(): Palette                         the shipped default, identity model
 *   savePalette(palette, name?): string               atomic write to $PATCHLAB_HOME/palettes
 *   listPalettes(): {name, path, builtin, calibrated}[]
 *   Palette: { name, description, count, colors, measured?, printable, model, calibration?, path? }
 *     colors/measured/printable: Float32Array, RGB in [0,1] interleaved (3 * count values);
 *     printable = measured when calibrated, else colors: what NPS compares patch pixels against.
 *
 * Printer model: out = clamp01(M · curve(in) + b), per-channel monotone piecewise-linear tone
 * curves (values at evenly spaced knots, ends pinned to 0 and 1), then a 3x3 matrix M and an
 * offset b. Identity by default. Pixels are Float32Array RGB in [0,1], interleaved (HWC) unless a
 * `{ layout: 'planar', planeSize: H*W }` layout says NCHW (images back to back).
 *   applyPrinterModel(model, pixels, out?, layout?): Float32Array             forward, pure
 *   printerModelBackward(model, pixels, gradOut, gradIn?, layout?): Float32Array
 *       the exact vector-Jacobian product of the forward at `pixels`; gradIn is overwritten
 *   identityPrinterModel(knots = 9), isIdentityPrinterModel(model)
 *   fitPrinterModel(intended, measured, {knots, smoothness, iterations}): {model, meanError, maxError, sampleErrors}
 *       errors in 1/255 units; intended/measured RGB in [0,1] interleaved
 *   printerModelFromJson(json) / printerModelToJson(model)
 */
export { applyPrinterModel, identityPrinterModel, isIdentityPrinterModel, printerModelBackward, printerModelFromJson, printerModelToJson, type PixelLayout, type PrinterModel } from './printer-model';
export { fitPrinterModel, type FitOptions, type PrinterModelFit } from './fit-printer-model';
export { defaultPalette, listPalettes, loadPalette, savePalette, userPalettesDir, type CalibrationInfo, type Palette } from './palette';
