/**
 * The page's handle on the engine worker: `call(type, args)` returns a promise of the worker's answer, `on(event)`
 * listens to what it sends unasked. The worker (all of tfjs and the model code) is downloaded when the first
 * Engine is made, not with the page.
 */
import type { EventMessage, Events, RequestType, Requests, ResponseMessage } from './protocol';

/** An error the worker reported (a DepthblocksError keeps its code). */
export class EngineError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

export class Engine {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly listeners: { [K in keyof Events]?: ((data: Events[K]) => void)[] } = {};

  constructor() {
    this.worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'depthblocks-engine' });
    this.worker.onmessage = (e: MessageEvent<ResponseMessage | EventMessage>) => {
      const m = e.data;
      if ('event' in m) {
        for (const fn of this.listeners[m.event] ?? []) (fn as (d: unknown) => void)(m.data);
        return;
      }
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.result);
      else p.reject(new EngineError(m.error.message, m.error.code));
    };
    this.worker.onerror = (e) => {
      const err = new EngineError(`the engine worker failed: ${e.message}`);
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
  }

  /** Sends a request; `transfer` hands buffers over instead of copying them. */
  call<K extends RequestType>(type: K, args: Requests[K]['args'], transfer: Transferable[] = []): Promise<Requests[K]['result']> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ id, type, args }, transfer);
    });
  }

  on<K extends keyof Events>(event: K, fn: (data: Events[K]) => void): void {
    (this.listeners[event] ??= [] as never[]).push(fn as never);
  }
}
