import type { Command } from 'commander';
import { UserError } from '../../engine/errors';
import { rendererBuilt, serveLab } from '../../server/serve';
import { note, println } from '../output';
import { parsePort } from '../parse';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the lab in a browser: the API and the UI on 127.0.0.1, behind a per-run token')
    .option('--port <n>', 'port to listen on (0 picks a free one)', '0')
    .action(async (opts: { port: string }) => {
      const port = parsePort('--port', opts.port);
      if (!rendererBuilt()) note('patchlab: the UI is not built yet (run `npm run build`); the API is served anyway');
      let lab: Awaited<ReturnType<typeof serveLab>>;
      try {
        lab = await serveLab(port);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new UserError(`--port ${port}: that port is already in use (try --port 0)`);
        throw error;
      }
      println(`patchlab: serving at ${lab.server.url}`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await lab.server.close();
      await lab.engine.close();
    });
}
