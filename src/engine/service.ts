import { isUserError, firstLine } from './errors';
import { ContractError, JOB_KINDS, parseParams, type EngineEvent, type JobKind, type Method, type ParsedParams, type Result } from '../shared/index';
import { attackJob } from './service/jobs/attack';
import { calibrateJob } from './service/jobs/calibrate';
import { evaluateJob } from './service/jobs/evaluate';
import { digitalJob } from './service/jobs/digital';
import { exportPdfJob } from './service/jobs/export-pdf';
import { evaluateFacesJob } from './service/jobs/evaluate-faces';
import { trialJob } from './service/jobs/trial';
import { enrolFacesHandler, listGalleriesHandler } from './service/handlers/faces';
import { recordScenesHandler, sceneSetInfoHandler } from './service/handlers/scene-sets';
import { placeTorsoHandler } from './service/handlers/torso';
import { evalRobustJob } from './service/jobs/eval-robust';
import { trainJob } from './service/jobs/train';
import { JobManager } from './service/jobs';
import { currentDevice, deviceStatus, setDevice } from './onnx/device';
import { describeModelHandler, importModelHandler, listModelsHandler } from './service/handlers/models';
import { attackDefaultsHandler } from './service/handlers/attack-defaults';
import { digitalDefaultsHandler, digitalResultsHandler } from './service/handlers/digital';
import { listPalettesHandler } from './service/handlers/palettes';
import { predictFrameHandler } from './service/handlers/predict';
import { exportChartHandler, printPreviewHandler } from './service/handlers/print';
import { listRunsHandler, readArtifactHandler } from './service/handlers/runs';
import { addScenesHandler, listSceneSetsHandler, readSceneHandler } from './service/handlers/scenes';
import type { AnyJobHandler, CallHandler } from './service/types';

export type { AnyJobHandler, JobContext, JobHandler, JobOutcome } from './service/types';

/** The engine behind the API contract, independent of how calls reach it (worker, utility process, tests). */
export interface EngineService {
  /** Validates `params` against the contract and answers; rejects with a one-line error. */
  call(method: Method, params: unknown): Promise<unknown>;
  onEvent(listener: (event: EngineEvent) => void): () => void;
  dispose(): void;
}

export interface EngineServiceOptions {
  /** Replaces job handlers by kind (tests drive the job machinery with their own). */
  jobs?: AnyJobHandler[];
}

export const DEFAULT_JOB_HANDLERS: AnyJobHandler[] = [attackJob, evaluateJob, exportPdfJob, calibrateJob, digitalJob, evaluateFacesJob, trialJob, trainJob, evalRobustJob];

export const ENGINE_VERSION = '0.1.0';

/** Errors a front end shows as they are (the user's input was wrong) rather than as engine failures. */
export function isUserFacing(error: unknown): boolean {
  return isUserError(error) || error instanceof ContractError;
}

export function errorMessage(error: unknown): string {
  return isUserFacing(error) ? (error as Error).message : firstLine(error);
}

export function createEngineService(options: EngineServiceOptions = {}): EngineService {
  const listeners = new Set<(event: EngineEvent) => void>();
  const emit = (event: EngineEvent) => listeners.forEach((l) => l(event));
  const handlers = new Map<JobKind, AnyJobHandler>(DEFAULT_JOB_HANDLERS.map((h) => [h.kind, h]));
  for (const h of options.jobs ?? []) handlers.set(h.kind, h);
  const jobs = new JobManager(handlers, emit);

  const calls: { [M in Method]: CallHandler<M> } = {
    capabilities: async () => ({
      jobs: Object.fromEntries(JOB_KINDS.map((k) => [k, jobs.handler(k).capability()])) as Result<'capabilities'>['jobs'],
      webcam: { available: true },
      version: ENGINE_VERSION,
      device: await deviceStatus(),
    }),
    setDevice: async ({ device }) => {
      const previous = currentDevice();
      setDevice(device);
      try {
        return await deviceStatus();
      } catch (error) {
        // Keep working where we were: a device that cannot load here is refused, not half-set.
        setDevice(previous);
        throw error;
      }
    },
    listModels: listModelsHandler,
    describeModel: describeModelHandler,
    importModel: importModelHandler,
    predictFrame: predictFrameHandler,
    attackDefaults: attackDefaultsHandler,
    digitalDefaults: digitalDefaultsHandler,
    digitalResults: digitalResultsHandler,
    listPalettes: listPalettesHandler,
    listSceneSets: listSceneSetsHandler,
    readScene: readSceneHandler,
    addScenes: addScenesHandler,
    sceneSetInfo: sceneSetInfoHandler,
    recordScenes: recordScenesHandler,
    placeTorso: placeTorsoHandler,
    listGalleries: listGalleriesHandler,
    enrolFaces: enrolFacesHandler,
    printPreview: printPreviewHandler,
    exportChart: exportChartHandler,
    listRuns: listRunsHandler,
    readArtifact: readArtifactHandler,
    startJob: async (request) => ({ job: jobs.start(request) }),
    listJobs: async () => ({ jobs: jobs.list() }),
    pauseJob: async ({ id }) => ({ job: jobs.pause(id) }),
    resumeJob: async ({ id }) => ({ job: jobs.resume(id) }),
    cancelJob: async ({ id }) => ({ job: jobs.cancel(id) }),
  };
  const ctx = { emit };

  return {
    async call(method, params) {
      const handler = calls[method] as (p: ParsedParams<Method>, c: typeof ctx) => Promise<unknown>;
      if (!handler) throw new ContractError(`unknown call '${String(method)}'`);
      return handler(parseParams(method, params), ctx);
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    dispose() {
      jobs.cancelAll();
      listeners.clear();
    },
  };
}
