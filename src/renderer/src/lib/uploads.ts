import type { SceneSet } from '../../../shared/scenes';
import { errorText } from './format';
import type { Lab } from './lab.svelte';

/** The images a file input holds (JPEG, PNG, WebP), as addScenes takes them: bare names and bytes. */
export async function imageUploads(input: HTMLInputElement): Promise<{ name: string; bytes: Uint8Array }[]> {
  const files = [...(input.files ?? [])].filter((f) => /\.(jpe?g|png|webp)$/i.test(f.name));
  return Promise.all(files.map(async (f) => ({ name: f.name.replace(/^.*[\\/]/, ''), bytes: new Uint8Array(await f.arrayBuffer()) })));
}

/**
 * Stores a file input's images in scene set `set` and refreshes the lab's scene list; `say` gets
 * the progress and any error. Returns the saved set and the uploaded file names, or undefined when
 * there was nothing to upload or it failed. The input is emptied after an upload so that the same
 * files can be chosen again.
 */
export async function uploadScenes(lab: Lab, input: HTMLInputElement, set: string, say: (message: string) => void): Promise<{ saved: SceneSet; names: string[] } | undefined> {
  const images = await imageUploads(input);
  if (images.length === 0) return undefined;
  say(`uploading ${images.length} image(s)…`);
  try {
    const { set: saved } = await lab.api.addScenes({ set, images });
    await lab.refreshScenes();
    return { saved, names: images.map((i) => i.name) };
  } catch (error) {
    say(errorText(error));
    return undefined;
  } finally {
    input.value = '';
  }
}
