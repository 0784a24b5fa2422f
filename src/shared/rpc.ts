import { z } from 'zod';
import { EngineEvent } from './events';
import { METHODS } from './methods';

/** Envelopes every transport (worker, utility process, WebSocket) carries. */
export const CallMessage = z.object({ type: z.literal('call'), id: z.number().int().nonnegative(), method: z.enum(METHODS), params: z.unknown() });
export type CallMessage = z.infer<typeof CallMessage>;

export const RpcError = z.object({
  message: z.string(),
  /** A mistake in what the user gave (a file, a field), as opposed to an engine failure. */
  user: z.boolean(),
});
export type RpcError = z.infer<typeof RpcError>;

export const ResultMessage = z.discriminatedUnion('ok', [
  z.object({ type: z.literal('result'), id: z.number().int(), ok: z.literal(true), value: z.unknown() }),
  z.object({ type: z.literal('result'), id: z.number().int(), ok: z.literal(false), error: RpcError }),
]);
export type ResultMessage = z.infer<typeof ResultMessage>;

export const EventMessage = z.object({ type: z.literal('event'), event: EngineEvent });
export type EventMessage = z.infer<typeof EventMessage>;

/** What flows from the engine to a client. */
export const ServerMessage = z.union([ResultMessage, EventMessage]);
export type ServerMessage = z.infer<typeof ServerMessage>;

/** The error a call rejects with on the client side, keeping the user/engine distinction. */
export class RemoteError extends Error {
  constructor(
    message: string,
    readonly user: boolean,
  ) {
    super(message);
    this.name = 'RemoteError';
  }
}
