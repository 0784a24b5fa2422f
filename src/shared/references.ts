/**
 * Fields of the API that name a model or a palette. Over the API they take names from the
 * registry (`listModels`, `listPalettes`), never filesystem paths: the engine's resolvers also
 * accept paths for the CLI, and a page or local client must not make the engine read an arbitrary
 * file (a private model, /dev/zero) through them.
 */
const REFERENCE_KEYS = new Set(['model', 'models', 'surrogate', 'palette', 'faces']);

/** Registry names (manifest names, palette names): no folders, no file extension the resolvers read as a path. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

function isName(value: string): boolean {
  return NAME.test(value) && !/\.(onnx|json)$/i.test(value);
}

/** The first reference in `params` that is not a plain name, as `path: value`, or undefined. */
export function pathLikeReference(params: unknown, path = ''): string | undefined {
  if (Array.isArray(params)) {
    for (let i = 0; i < params.length; i++) {
      const found = pathLikeReference(params[i], `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (params === null || typeof params !== 'object' || params instanceof Uint8Array) return undefined;
  for (const [key, value] of Object.entries(params)) {
    const at = path ? `${path}.${key}` : key;
    if (REFERENCE_KEYS.has(key)) {
      const values = Array.isArray(value) ? value : [value];
      const bad = values.find((v) => typeof v === 'string' && !isName(v));
      if (typeof bad === 'string') return `${at}: '${bad.slice(0, 80)}'`;
    }
    const found = pathLikeReference(value, at);
    if (found) return found;
  }
  return undefined;
}

/** The error message for a path where a name belongs. */
export function referenceRefusal(method: string, found: string): string {
  return `${method}: ${found} takes a name, not a path (import a model or palette first, then use its name)`;
}
