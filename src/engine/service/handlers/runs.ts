import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { UserError } from '../../errors';
import { patchlabHome } from '../../paths';
import type { RunSummary } from '../../../shared/index';
import { readRunRecord } from '../../runs/record';
import type { CallHandler } from '../types';

/** Where the desktop lab keeps its runs: $PATCHLAB_HOME/runs/<id>/. */
export function runsDir(): string {
  return join(patchlabHome(), 'runs');
}

export function runDir(id: string): string {
  return join(runsDir(), id);
}

/** The run's record in the one format (runs/record.ts), older runs' included; {} where it is missing or torn. */
function recordOf(dir: string): Record<string, unknown> {
  try {
    return (readRunRecord(dir) ?? {}) as unknown as Record<string, unknown>;
  } catch {
    return {};
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

export function summariseRun(id: string): RunSummary {
  const dir = runDir(id);
  const meta = recordOf(dir);
  const config = (meta.config && typeof meta.config === 'object' ? meta.config : meta) as Record<string, unknown>;
  const steps = (meta.steps && typeof meta.steps === 'object' ? meta.steps : {}) as Record<string, unknown>;
  const model = (meta.model && typeof meta.model === 'object' ? meta.model : {}) as Record<string, unknown>;
  return {
    id,
    dir,
    model: str(config.model) ?? str(model.name) ?? str(meta.model),
    attack: str(config.attack) ?? str(meta.kind),
    goal: str(config.goal),
    createdAt: str(meta.created) ?? statSync(dir).mtime.toISOString(),
    status: str(meta.status),
    steps: num(steps.total) ?? num(config.steps),
    stepsDone: num(steps.done),
    files: readdirSync(dir).filter((f) => !f.startsWith('.')).sort(),
  };
}

export function listRuns(): RunSummary[] {
  const root = runsDir();
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(d.name))
    .map((d) => summariseRun(d.name))
    .sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''));
}

const MIME: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.svg': 'image/svg+xml',
  '.pdf': 'application/pdf',
  '.json': 'application/json',
  '.jsonl': 'application/x-ndjson',
};

export const listRunsHandler: CallHandler<'listRuns'> = async () => ({ runs: listRuns() });

/** A file a run wrote (patch.png, eval.json, the PDF); names are plain file names, so no path escapes the run. */
export const readArtifactHandler: CallHandler<'readArtifact'> = async ({ run, file, folder }) => {
  const path = join(runDir(run), folder ?? '', file);
  if (!existsSync(path) || !statSync(path).isFile()) throw new UserError(`run '${run}' has no file '${folder ? `${folder}/` : ''}${file}'`);
  return { bytes: readFileSync(path), mime: MIME[extname(file).toLowerCase()] ?? 'application/octet-stream' };
};
