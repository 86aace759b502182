/**
 * How the client cancels one attempt (a timeout, or the caller's signal) and tells the transport:
 * a plain object the built-in node:http transport watches, with an `AbortSignal` made only when a
 * transport reads one (fetch and custom transports do). Creating an AbortController and listening to
 * it costs several microseconds per request on Node 20. Web-standard.
 */
import type { TransportRequest } from './transport.js';

/**
 * A signal may carry the set of what follows it (a node:http server's connection signal does, see
 * node-http.ts): joining a set costs less than an abort listener, and whoever aborts the signal tells
 * every member (`handleEvent`) too.
 */
export const FOLLOWERS = Symbol('capgen.followers');

/** A signal that may carry its followers (see FOLLOWERS). */
export type FollowedSignal = AbortSignal & { [FOLLOWERS]?: Set<{ handleEvent(): void }> };

/** See `TransportRequest[CANCELLATION]`. */
export const CANCELLATION = Symbol('capgen.cancellation');

/** A cancellation that one transport watches at a time (see `TransportRequest[CANCELLATION]`). */
export interface Cancellation {
  readonly aborted: boolean;
  readonly reason: unknown;
  /** Told once when the request is cancelled while in flight (an object: no closure per request). */
  watcher: { cancelled(): void } | undefined;
}

/**
 * The cancellation of one attempt, as the client makes it: after `timeoutMs` (then `timedOut` is
 * true) or when `follow` aborts, until released. A plain object that the built-in node:http transport
 * watches, with an `AbortSignal` made only if a transport asks for one (fetch and custom transports).
 */
export class Cancellable implements Cancellation {
  aborted = false;
  reason: unknown = undefined;
  timedOut = false;
  watcher: { cancelled(): void } | undefined = undefined;
  private controller: AbortController | undefined;
  private readonly timer: ReturnType<typeof setTimeout>;

  constructor(
    timeoutMs: number,
    private readonly follow: FollowedSignal | undefined,
  ) {
    this.timer = setTimeout(expire, timeoutMs, this);
    const followers = follow?.[FOLLOWERS];
    if (followers !== undefined) followers.add(this);
    else follow?.addEventListener('abort', this);
  }

  /** The followed signal aborted (this object is its listener). */
  handleEvent(): void {
    this.abort(this.follow?.reason);
  }

  /** Stops the timer and stops following the signal. */
  release(): void {
    clearTimeout(this.timer);
    const followers = this.follow?.[FOLLOWERS];
    if (followers !== undefined) followers.delete(this);
    else this.follow?.removeEventListener('abort', this);
  }

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.controller?.abort(reason);
    const watcher = this.watcher;
    this.watcher = undefined;
    watcher?.cancelled();
  }

  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }
}

/**
 * A request as the client hands it to a built-in transport: the `signal` is made only if read (the
 * node:http transport watches the cancellation instead).
 */
export class AttemptRequest implements TransportRequest {
  readonly [CANCELLATION]: Cancellable;

  constructor(
    readonly method: string,
    readonly url: string,
    readonly headers: Record<string, string>,
    readonly body: string | Uint8Array | undefined,
    readonly maxResponseBytes: number,
    cancellation: Cancellable,
  ) {
    this[CANCELLATION] = cancellation;
  }

  get signal(): AbortSignal {
    return this[CANCELLATION].signal;
  }
}

function expire(cancellable: Cancellable): void {
  cancellable.timedOut = true;
  cancellable.abort(new Error('timeout'));
}
