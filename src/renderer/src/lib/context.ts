import { getContext, setContext } from 'svelte';
import type { Lab } from './lab.svelte';

const KEY = Symbol('lab');

export function provideLab(lab: Lab): void {
  setContext(KEY, lab);
}

export function useLab(): Lab {
  const lab = getContext<Lab | undefined>(KEY);
  if (!lab) throw new Error('useLab() outside <App>');
  return lab;
}
