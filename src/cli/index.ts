import { closeSharedSessionWorkers } from '../engine/onnx/session-workers/pool';
import { runCli } from './main';

// `patchlab ... | head` closes the pipe early; that is the reader's choice, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

process.exitCode = await runCli(process.argv.slice(2));
await closeSharedSessionWorkers();
