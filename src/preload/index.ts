import { contextBridge } from 'electron';

contextBridge.exposeInMainWorld('patchlab', { version: '0.1.0' });
