import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { METHODS, ContractError, ipcChannel, parseParams, type BridgeReply, type Method } from '../shared/index';
import { pathLikeReference, referenceRefusal } from '../shared/references';

export interface EngineCaller {
  call(method: Method, params: unknown): Promise<unknown>;
}

/**
 * One IPC handler per contract call. Every request is checked against the contract here, in the
 * trusted process, before the engine sees it; a frame that is not our page gets nothing.
 */
export function registerIpc(ipcMain: Pick<IpcMain, 'handle'>, engine: EngineCaller, isTrustedSender: (event: IpcMainInvokeEvent) => boolean): void {
  for (const method of METHODS) {
    ipcMain.handle(ipcChannel(method), (event, params: unknown) => answer(method, event, params, engine, isTrustedSender));
  }
}

export async function answer(method: Method, event: IpcMainInvokeEvent, params: unknown, engine: EngineCaller, isTrustedSender: (event: IpcMainInvokeEvent) => boolean): Promise<BridgeReply> {
  if (!isTrustedSender(event)) return { ok: false, error: { message: 'refused: the request did not come from the patchlab page', user: false } };
  try {
    parseParams(method, params);
    const pathLike = pathLikeReference(params);
    if (pathLike) throw new ContractError(referenceRefusal(method, pathLike));
    return { ok: true, value: await engine.call(method, params) };
  } catch (error) {
    const user = error instanceof ContractError || (error as { user?: unknown }).user === true;
    return { ok: false, error: { message: (error as Error).message, user } };
  }
}
