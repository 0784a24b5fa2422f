/**
 * The names of every call in the API contract. Kept free of any import so the sandboxed preload
 * can expose one bridge method per call without bundling the schemas.
 */
export const METHODS = [
  'capabilities',
  'setDevice',
  'listModels',
  'describeModel',
  'importModel',
  'predictFrame',
  'attackDefaults',
  'digitalDefaults',
  'digitalResults',
  'listPalettes',
  'listSceneSets',
  'readScene',
  'addScenes',
  'sceneSetInfo',
  'recordScenes',
  'placeTorso',
  'listGalleries',
  'enrolFaces',
  'printPreview',
  'exportChart',
  'listRuns',
  'readArtifact',
  'startJob',
  'listJobs',
  'pauseJob',
  'resumeJob',
  'cancelJob',
] as const;

export type Method = (typeof METHODS)[number];

export function isMethod(value: unknown): value is Method {
  return typeof value === 'string' && (METHODS as readonly string[]).includes(value);
}

/** The Electron IPC channel a call travels on. */
export const ipcChannel = (method: Method): string => `patchlab:${method}`;

/** The IPC channel engine events (job progress, engine status) travel on to the renderer. */
export const EVENT_CHANNEL = 'patchlab:event';
