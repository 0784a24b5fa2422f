import type { PatchlabApi } from '../../../shared/contract';
import type { EngineEvent } from '../../../shared/events';
import { isFinished, type Capabilities, type JobInfo, type Progress } from '../../../shared/jobs';
import type { ModelSummary } from '../../../shared/models';
import type { RunSummary } from '../../../shared/runs';
import type { PaletteSummary, SceneSet } from '../../../shared/scenes';
import { createApi, onEngineEvent } from './api/client';
import type { Transport } from './api/transport';
import { DEMO, type DesignForm } from './design';
import { INITIAL_DIGITAL, type DigitalForm } from './digital';

export interface ProgressPoint {
  step: number;
  loss: Record<string, number>;
  success?: number;
}

export type Screen = 'models' | 'design' | 'optimise' | 'evaluate' | 'webcam' | 'print' | 'digital' | 'train';

/** The whole UI's shared state: what the engine can do, its models, scenes, runs and jobs. */
export class Lab {
  readonly api: PatchlabApi;
  readonly transport: Transport;
  screen = $state<Screen>('design');
  connected = $state(false);
  /** A message about the engine itself (crashed, restarted), shown as a banner until dismissed. */
  notice = $state<{ tone: 'error' | 'info'; text: string } | undefined>();
  capabilities = $state<Capabilities | undefined>();
  models = $state<ModelSummary[]>([]);
  sceneSets = $state<SceneSet[]>([]);
  palettes = $state<PaletteSummary[]>([]);
  runs = $state<RunSummary[]>([]);
  jobs = $state<Record<string, JobInfo>>({});
  /** Loss/success history of each job, for the curves. */
  history = $state<Record<string, ProgressPoint[]>>({});
  /** Object URL of each job's latest patch preview. */
  previews = $state<Record<string, string>>({});
  /** The job the Optimise screen follows. */
  followed = $state<string | undefined>();
  /** The Design screen's form. */
  design = $state<DesignForm>(structuredClone(DEMO));
  /** The Digital screen's form, and the digital job (or finished run) it shows. */
  digital = $state<DigitalForm>(structuredClone(INITIAL_DIGITAL));
  digitalJob = $state<string | undefined>();
  digitalRun = $state<string | undefined>();
  /** The run the Evaluate and Print screens work on. */
  selectedRun = $state<string | undefined>();

  constructor(transport: Transport) {
    this.transport = transport;
    this.api = createApi(transport);
    transport.onStatus((connected) => {
      this.connected = connected;
      if (connected) void this.refresh();
    });
    onEngineEvent(transport, (event) => this.apply(event));
  }

  async refresh(): Promise<void> {
    const [capabilities, models, sets, runs, jobs, palettes] = await Promise.all([
      this.api.capabilities({}),
      this.api.listModels({}),
      this.api.listSceneSets({}),
      this.api.listRuns({}),
      this.api.listJobs({}),
      this.api.listPalettes({}),
    ]);
    this.palettes = palettes.palettes;
    this.capabilities = capabilities;
    this.models = models.models;
    this.sceneSets = sets.sets;
    this.runs = runs.runs;
    for (const job of jobs.jobs) this.jobs[job.id] = job;
  }

  async refreshRuns(): Promise<void> {
    this.runs = (await this.api.listRuns({})).runs;
  }

  async refreshModels(): Promise<void> {
    this.models = (await this.api.listModels({})).models;
  }

  async refreshPalettes(): Promise<void> {
    this.palettes = (await this.api.listPalettes({})).palettes;
  }

  async refreshScenes(): Promise<void> {
    this.sceneSets = (await this.api.listSceneSets({})).sets;
  }

  /**
   * What a call answered about a job (started, paused, resumed, stopped). The answer comes on
   * its own request while events come on the event stream, so an event can overtake it: a Stop
   * answers "running" (the abort is requested) and the job's "cancelled" event may already be
   * here. An answer therefore never takes a job back from the state it ended in.
   */
  answered(job: JobInfo): void {
    const before = this.jobs[job.id];
    if (before && isFinished(before.state)) return;
    this.jobs[job.id] = { ...job, progress: job.progress ?? before?.progress };
  }

  apply(event: EngineEvent): void {
    switch (event.type) {
      case 'job': {
        const before = this.jobs[event.job.id];
        this.jobs[event.job.id] = { ...event.job, progress: event.job.progress ?? before?.progress };
        if (event.job.kind === 'attack' && (event.job.state === 'queued' || event.job.resumed) && !before) this.followed = event.job.id;
        if (isFinished(event.job.state)) void this.refreshRuns();
        if (event.job.kind === 'calibrate' && event.job.state === 'done') void this.refreshPalettes();
        break;
      }
      case 'progress':
        this.progress(event.id, event.progress);
        break;
      case 'engine':
        this.notice = { tone: event.state === 'crashed' ? 'error' : 'info', text: event.message ?? `engine ${event.state}` };
        if (event.state === 'ready') void this.refresh();
        break;
    }
  }

  private progress(id: string, progress: Progress): void {
    const job = this.jobs[id];
    if (job) job.progress = progress;
    const points = (this.history[id] ??= []);
    if (points.at(-1)?.step !== progress.step) points.push({ step: progress.step, loss: progress.loss, success: progress.success });
    if (progress.preview) {
      const old = this.previews[id];
      this.previews[id] = URL.createObjectURL(new Blob([progress.preview as Uint8Array<ArrayBuffer>], { type: 'image/png' }));
      if (old) URL.revokeObjectURL(old);
    }
  }

  capability(kind: keyof Capabilities['jobs']): { available: boolean; reason?: string } {
    return this.capabilities?.jobs[kind] ?? { available: false, reason: 'connecting to the engine…' };
  }
}
