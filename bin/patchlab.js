#!/usr/bin/env node
// Runs the TypeScript CLI through tsx so `npx patchlab` works right after `npm install`,
// with no build step between a checkout and a working command.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/index.ts');
