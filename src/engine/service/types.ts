import type { Capability, EngineEvent, JobKind, Method, ParsedJobRequest, ParsedParams, Progress, Result } from '../../shared/index';
import type { z } from 'zod';

/** A request/response call handler: validated params in, a contract result out. */
export type CallHandler<M extends Method> = (params: ParsedParams<M>, ctx: ServiceContext) => Promise<Result<M>>;

export interface ServiceContext {
  emit(event: EngineEvent): void;
}

export type CapabilityInfo = z.infer<typeof Capability>;

export interface JobContext {
  /** Aborted when the user stops the job (or the engine shuts down). */
  signal: AbortSignal;
  /** Reports progress; cheap enough to call every step. */
  report(progress: Progress): void;
  /** Resolves at once unless the user paused the job; then when they resume (or stop). */
  waitWhilePaused(): Promise<void>;
  /**
   * A signal aborted when the user stops *or pauses* the job, for engine loops that pause by
   * checkpointing and returning (then `waitWhilePaused` and resume from the checkpoint).
   * Each call after a resume returns a fresh signal.
   */
  runSignal(): AbortSignal;
  /** Tells listeners which run directory (id) this job writes, as soon as it is known. */
  setRun(run: string): void;
}

export interface JobOutcome {
  run?: string;
  result?: Record<string, unknown>;
}

type ParamsOf<K extends JobKind> = Extract<ParsedJobRequest, { kind: K }>['params'];

/** One capability of the engine that runs as a job (an attack, an evaluation, an export). */
export interface JobHandler<K extends JobKind = JobKind> {
  kind: K;
  /**
   * `compute` jobs (optimisations, evaluations) take every core and run one at a time; `quick`
   * ones (a PDF, a calibration) start at once, so they never wait behind a long optimisation.
   */
  lane?: 'compute' | 'quick';
  /** Whether the engine function behind this job exists in this build, and why not. */
  capability(): CapabilityInfo;
  title(params: ParamsOf<K>): string;
  /** The run this job writes to, when known before it starts (resumes). */
  run?(params: ParamsOf<K>): string | undefined;
  execute(params: ParamsOf<K>, ctx: JobContext): Promise<JobOutcome>;
}

/** A handler of any one kind. */
export type AnyJobHandler = { [K in JobKind]: JobHandler<K> }[JobKind];
