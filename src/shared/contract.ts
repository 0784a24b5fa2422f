import { z } from 'zod';
import { ImportModelParams, ModelInfo, ModelSummary } from './models';
import { AttackDefaults, Capabilities, DeviceStatus, ExportPdfParams, JobIdParams, JobInfo, JobRequest, Paper, PrintPreview } from './jobs';
import type { Method } from './methods';
import { Bytes, Slug } from './bytes';
import { DIGITAL_ATTACKS, DigitalResults, DigitalSettings, TRANSFER_VIA } from './digital';
import { PredictFrameParams, PredictFrameResult } from './predictions';
import { ReadArtifactParams, RunSummary } from './runs';
import { AddScenesParams, PaletteSummary, PlaceTorsoParams, PlaceTorsoResult, ReadSceneParams, RecordScenesParams, RecordScenesResult, SceneSet, SceneSetInfo } from './scenes';
import { EnrolFacesParams, EnrolFacesResult, FaceThreshold, GallerySummary, ListGalleriesParams } from './faces';
import { PATCH_PLACEMENTS, PHYSICAL_ATTACKS, PHYSICAL_GOALS } from './physical-attacks';
import { firstIssue } from './zod-issue';
import { DEVICES } from './devices';

const Empty = z.object({}).default({});

/** Every call: what it takes and what it answers. Both ends validate against these. */
export const CONTRACT = {
  capabilities: { params: Empty, result: Capabilities },
  setDevice: { params: z.object({ device: z.enum(DEVICES) }), result: DeviceStatus },
  listModels: { params: Empty, result: z.object({ models: z.array(ModelSummary) }) },
  describeModel: { params: z.object({ model: z.string().min(1) }), result: ModelInfo },
  importModel: { params: ImportModelParams, result: z.object({ model: ModelSummary }) },
  predictFrame: { params: PredictFrameParams, result: PredictFrameResult },
  attackDefaults: { params: z.object({ attack: z.enum(PHYSICAL_ATTACKS), goal: z.enum(PHYSICAL_GOALS).optional(), placement: z.enum(PATCH_PLACEMENTS).optional() }), result: AttackDefaults },
  digitalDefaults: { params: z.object({ attack: z.enum(DIGITAL_ATTACKS), via: z.enum(TRANSFER_VIA).optional(), norm: z.enum(['linf', 'l2']).optional() }), result: DigitalSettings },
  digitalResults: { params: z.object({ run: Slug }), result: DigitalResults },
  listPalettes: { params: Empty, result: z.object({ palettes: z.array(PaletteSummary) }) },
  listSceneSets: { params: Empty, result: z.object({ sets: z.array(SceneSet) }) },
  readScene: { params: ReadSceneParams, result: z.object({ bytes: Bytes, mime: z.string() }) },
  addScenes: { params: AddScenesParams, result: z.object({ set: SceneSet }) },
  sceneSetInfo: { params: z.object({ set: Slug }), result: SceneSetInfo },
  recordScenes: { params: RecordScenesParams, result: RecordScenesResult },
  placeTorso: { params: PlaceTorsoParams, result: PlaceTorsoResult },
  listGalleries: { params: ListGalleriesParams.default({}), result: z.object({ galleries: z.array(GallerySummary), threshold: FaceThreshold }) },
  enrolFaces: { params: EnrolFacesParams, result: EnrolFacesResult },
  printPreview: { params: ExportPdfParams, result: PrintPreview },
  exportChart: { params: z.object({ palette: z.string().min(1).default('default'), paper: Paper.default('a4') }), result: z.object({ bytes: Bytes, swatches: z.number() }) },
  listRuns: { params: Empty, result: z.object({ runs: z.array(RunSummary) }) },
  readArtifact: { params: ReadArtifactParams, result: z.object({ bytes: Bytes, mime: z.string() }) },
  startJob: { params: JobRequest, result: z.object({ job: JobInfo }) },
  listJobs: { params: Empty, result: z.object({ jobs: z.array(JobInfo) }) },
  pauseJob: { params: JobIdParams, result: z.object({ job: JobInfo }) },
  resumeJob: { params: JobIdParams, result: z.object({ job: JobInfo }) },
  cancelJob: { params: JobIdParams, result: z.object({ job: JobInfo }) },
} as const satisfies Record<Method, { params: z.ZodType; result: z.ZodType }>;

/** What a caller passes (defaults may be left out). */
export type Params<M extends Method> = z.input<(typeof CONTRACT)[M]['params']>;
/** What a handler receives after validation (defaults filled in). */
export type ParsedParams<M extends Method> = z.output<(typeof CONTRACT)[M]['params']>;
export type Result<M extends Method> = z.output<(typeof CONTRACT)[M]['result']>;

/** The whole API as one object of async functions: what the renderer programs against. */
export type PatchlabApi = { [M in Method]: (params: Params<M>) => Promise<Result<M>> };

/** Thrown when a message does not match the contract; its message names the call and field. */
export class ContractError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContractError';
  }
}

export function parseParams<M extends Method>(method: M, value: unknown): ParsedParams<M> {
  const parsed = CONTRACT[method].params.safeParse(value ?? {});
  if (!parsed.success) throw new ContractError(`${method}: invalid request: ${firstIssue(parsed.error, 'value')}`);
  return parsed.data as ParsedParams<M>;
}

export function parseResult<M extends Method>(method: M, value: unknown): Result<M> {
  const parsed = CONTRACT[method].result.safeParse(value);
  if (!parsed.success) throw new ContractError(`${method}: invalid response: ${firstIssue(parsed.error, 'value')}`);
  return parsed.data as Result<M>;
}
