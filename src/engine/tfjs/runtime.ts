import type * as TfCore from '@tensorflow/tfjs-core';

let loaded: Promise<typeof TfCore> | undefined;

/**
 * TensorFlow.js core with the pure-JS CPU backend, loaded on first use (it costs a few
 * hundred milliseconds at startup that most commands never need). Production mode silences
 * its "install tfjs-node" console banner, which would corrupt our CLI output.
 */
export function tfjs(): Promise<typeof TfCore> {
  loaded ??= (async () => {
    const tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-backend-cpu');
    tf.enableProdMode();
    await tf.setBackend('cpu');
    return tf;
  })();
  return loaded;
}
