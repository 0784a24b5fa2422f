/** The images a file input holds (JPEG, PNG, WebP), as addScenes takes them: bare names and bytes. */
export async function imageUploads(input: HTMLInputElement): Promise<{ name: string; bytes: Uint8Array }[]> {
  const files = [...(input.files ?? [])].filter((f) => /\.(jpe?g|png|webp)$/i.test(f.name));
  return Promise.all(files.map(async (f) => ({ name: f.name.replace(/^.*[\\/]/, ''), bytes: new Uint8Array(await f.arrayBuffer()) })));
}
