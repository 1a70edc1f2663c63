import type { TraceBuilder } from '../trace-builder.js';

/** Which trace a wrapped client records into: one builder, or a function naming the current one. */
export type TraceTarget = TraceBuilder | (() => TraceBuilder | undefined);

export interface WrapOptions {
  trace: TraceTarget;
  /** Recording problems go here; the client's own results and errors are never touched. */
  onError?: (error: unknown) => void;
}

export function currentTrace(target: TraceTarget): TraceBuilder | undefined {
  return typeof target === 'function' ? target() : target;
}

export interface CallObserver {
  /** A whole (non-streamed) response. */
  result(value: unknown, latencyMs: number): void;
  /** The chunks of a streamed response, once the stream has ended. */
  stream(chunks: unknown[], latencyMs: number): void;
  error(error: unknown, latencyMs: number): void;
}

/** Runs recording code so that a bug in it can never reach the host program. */
export function safely(onError: ((error: unknown) => void) | undefined, fn: () => void): void {
  try {
    fn();
  } catch (error) {
    try {
      onError?.(error);
    } catch {
      // The error hook itself threw; recording is best effort and stays silent.
    }
  }
}

type ApiPromise = PromiseLike<unknown> & {
  parseResponse?: (...args: unknown[]) => unknown;
  responsePromise?: PromiseLike<unknown>;
};

/**
 * Watches a client call without changing it. The official clients return an `APIPromise` that
 * parses the body only when the caller asks (`await`, `.withResponse()`, their helpers'
 * `_thenUnwrap`), all through its `parseResponse`; hooking that keeps the body of an
 * `.asResponse()` caller unread. A failed request rejects `responsePromise` before any parse.
 * The caller gets the same promise object back.
 */
export function observeCall(promise: unknown, start: number, observer: CallObserver, onError?: (error: unknown) => void): void {
  const latency = () => Date.now() - start;
  const failed = (error: unknown) => safely(onError, () => observer.error(error, latency()));
  const watch = (settled: PromiseLike<unknown>) =>
    settled.then(
      (value) =>
        safely(onError, () => (isStream(value) ? watchStream(value, observer, latency, onError) : observer.result(value, latency()))),
      failed,
    );
  const target = promise as ApiPromise | null;
  if (!target || typeof target.then !== 'function') return;
  const parseResponse = target.parseResponse;
  if (typeof parseResponse !== 'function' || typeof target.responsePromise?.then !== 'function') {
    watch(target);
    return;
  }
  let watched = false;
  target.parseResponse = function (this: unknown, ...args: unknown[]) {
    const parsed = parseResponse.apply(this, args);
    if (!watched) {
      watched = true;
      watch(Promise.resolve(parsed));
    }
    return parsed;
  };
  target.responsePromise.then(undefined, failed);
}

function isStream(value: unknown): value is AsyncIterable<unknown> & object {
  return typeof value === 'object' && value !== null && typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';
}

/**
 * Tees a stream's chunks into the recorder as the caller iterates it (directly, by `tee()` or by
 * `toReadableStream()`, which all go through the async iterator). Chunks pass through unchanged.
 */
function watchStream(
  stream: AsyncIterable<unknown> & object,
  observer: CallObserver,
  latency: () => number,
  onError?: (error: unknown) => void,
): void {
  const original = stream[Symbol.asyncIterator];
  const chunks: unknown[] = [];
  let done = false;
  const finish = (error?: unknown) => {
    if (done) return;
    done = true;
    safely(onError, () => (error === undefined ? observer.stream(chunks, latency()) : observer.error(error, latency())));
  };
  Object.defineProperty(stream, Symbol.asyncIterator, {
    configurable: true,
    writable: true,
    value: function (this: AsyncIterable<unknown>) {
      const iterator = original.call(this);
      const wrapped: AsyncIterator<unknown> & AsyncIterable<unknown> = {
        async next(...args: [] | [unknown]) {
          let step: IteratorResult<unknown>;
          try {
            step = await iterator.next(...args);
          } catch (error) {
            finish(error);
            throw error;
          }
          if (step.done) finish();
          else chunks.push(step.value);
          return step;
        },
        async return(value?: unknown) {
          finish();
          return iterator.return ? iterator.return(value) : { done: true, value };
        },
        [Symbol.asyncIterator]() {
          return this;
        },
      };
      if (iterator.throw) wrapped.throw = (error?: unknown) => iterator.throw!(error);
      return wrapped;
    },
  });
}

/** A client method as the wrappers call it, and the shape of what they put in its place. */
export type AnyMethod = (...args: unknown[]) => unknown;
export type Replacement = (...args: never[]) => unknown;

/** One method to replace: `path` leads from the client to the resource that has it. */
export interface MethodTarget {
  path: string[];
  method: string;
  replacement: (original: AnyMethod) => Replacement;
}

/**
 * A view of `root` where each target's `path` (e.g. `['chat', 'completions']`) leads to a resource
 * whose `method` is replaced. Everything else is the original, read from the real objects; methods
 * of the client and on the way run bound to the real objects (so class-private fields keep
 * working). A target resource's own methods run on the view, and its `_client` is the wrapped
 * client: the official clients' helpers (`messages.stream()`, `chat.completions.stream()`,
 * `.parse()`, `.runTools()`) call `create` through one of those, so their calls are recorded too.
 */
export function replaceMethods<T extends object>(root: T, targets: MethodTarget[]): T {
  const views = new WeakMap<object, object>();
  const view = <O extends object>(target: O, depth: number, along: MethodTarget[]): O => {
    const known = views.get(target);
    if (known) return known as O;
    const here = along.filter((t) => t.path.length === depth);
    const proxy = new Proxy(target, {
      get(obj, prop, receiver) {
        const value: unknown = Reflect.get(obj, prop, obj);
        const replaced = here.find((t) => t.method === prop);
        if (replaced && typeof value === 'function') return replaced.replacement(value.bind(obj) as AnyMethod);
        if (here.length > 0 && prop === '_client') return rootView;
        const deeper = along.filter((t) => t.path.length > depth && t.path[depth] === prop);
        if (deeper.length > 0 && typeof value === 'object' && value !== null) return view(value, depth + 1, deeper);
        return typeof value === 'function' ? value.bind(here.length > 0 ? receiver : obj) : value;
      },
    });
    views.set(target, proxy);
    return proxy;
  };
  const rootView = view(root, 0, targets);
  return rootView;
}

/**
 * The replacement for a client's `create` method: with a current trace it records the request
 * (given `params ?? {}`), calls the original, watches the outcome with the observer made for this
 * call, and returns the original's promise; with none it only calls the original.
 */
export function recordingCreate<P extends { model?: unknown }>(
  options: WrapOptions,
  cursor: ConversationCursor,
  recordRequest: (trace: TraceBuilder, cursor: ConversationCursor, params: P) => void,
  observerFor: (trace: TraceBuilder, params: P) => CallObserver,
): (create: AnyMethod) => (params: P, ...rest: unknown[]) => unknown {
  return (create) =>
    (params, ...rest) => {
      const trace = currentTrace(options.trace);
      if (!trace) return create(params, ...rest);
      safely(options.onError, () => recordRequest(trace, cursor, params ?? ({} as P)));
      const start = Date.now();
      const pending: unknown = create(params, ...rest);
      observeCall(pending, start, observerFor(trace, params), options.onError);
      return pending;
    };
}

/** Records a model call that failed (or whose stream ended without a response) as a custom event. */
export function recordCallFailed(trace: TraceBuilder, provider: string, model: unknown, error: unknown, latencyMs: number): void {
  trace.custom('model_call_failed', { provider, model, latency_ms: latencyMs, ...errorFields(error) });
}

/** A tool's arguments as sent by a model: JSON text parsed when it parses to an object. */
export function parseArguments(text: unknown): Record<string, unknown> {
  if (typeof text !== 'string') return typeof text === 'object' && text !== null ? (text as Record<string, unknown>) : {};
  if (text.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : { arguments: parsed };
  } catch {
    return { arguments: text };
  }
}

/** A tool result sent back to a model: JSON text is kept as the value it encodes. */
export function parseResult(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

export function errorFields(error: unknown): Record<string, unknown> {
  const e = error as { name?: unknown; message?: unknown; status?: unknown };
  const fields: Record<string, unknown> = {
    error_type: typeof e?.name === 'string' ? e.name : 'Error',
    message: typeof e?.message === 'string' ? e.message : String(error),
  };
  if (typeof e?.status === 'number') fields.status = e.status;
  return fields;
}

/** Per trace, how many messages of the conversation were already seen (conversations grow by appending). */
export class ConversationCursor {
  private readonly seen = new WeakMap<TraceBuilder, { count: number; prompts: Set<string> }>();

  /**
   * The messages not seen before in this trace; a shorter list is a new conversation. `all` says
   * every message is new (a request that continues a stored conversation sends only new items).
   */
  fresh<M>(trace: TraceBuilder, messages: M[], all = false): M[] {
    const state = this.state(trace);
    const from = all || messages.length < state.count ? 0 : state.count;
    state.count = messages.length;
    return messages.slice(from);
  }

  /** True the first time a system prompt is seen in this trace. */
  firstPrompt(trace: TraceBuilder, prompt: string): boolean {
    const state = this.state(trace);
    if (state.prompts.has(prompt)) return false;
    state.prompts.add(prompt);
    return true;
  }

  private state(trace: TraceBuilder) {
    let state = this.seen.get(trace);
    if (!state) this.seen.set(trace, (state = { count: 0, prompts: new Set() }));
    return state;
  }
}
