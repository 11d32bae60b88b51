/**
 * The in-process `node:inspector` session the heap finder queries: loaded on
 * first use, commands answered synchronously or refused.
 */
import { InstanceFinderUnavailableError } from "../../errors.js";

/** The part of `node:inspector` this module uses; typed here so that nothing is imported eagerly. */
export interface InspectorSession {
  connect(): void;
  disconnect(): void;
  post(
    method: string,
    params: object,
    callback: (error: Error | null, result?: object) => void,
  ): void;
}

export interface InspectorModule {
  readonly Session: new () => InspectorSession;
}

/**
 * Loaded on first use only: importing this module must cost nothing and must
 * not break a browser bundle. `process.getBuiltinModule` (Node ≥ 20.16) needs
 * no import of `node:module` either.
 */
export function loadInspector(): InspectorModule {
  const host = (globalThis as { process?: { getBuiltinModule?: unknown } }).process;
  const getBuiltinModule = host?.getBuiltinModule;
  if (typeof getBuiltinModule !== "function") {
    throw new InstanceFinderUnavailableError(
      "The heap instance finder needs Node's node:inspector, which this runtime does not provide; use the registry finder",
      { backend: "heap", reason: "no process.getBuiltinModule" },
    );
  }
  let inspector: unknown;
  try {
    inspector = getBuiltinModule.call(host, "node:inspector");
  } catch (error) {
    throw new InstanceFinderUnavailableError(
      `The heap instance finder cannot load node:inspector: ${String(error)}`,
      { backend: "heap", reason: "node:inspector failed to load", cause: error },
    );
  }
  const Session = (inspector as { Session?: unknown } | undefined)?.Session;
  if (typeof Session !== "function") {
    throw new InstanceFinderUnavailableError(
      "The heap instance finder cannot find node:inspector's Session",
      { backend: "heap", reason: "no inspector Session" },
    );
  }
  return inspector as InspectorModule;
}

/**
 * Posts one command and returns its result. In-process sessions answer inside
 * `post` on Node; if a runtime ever answers later, a synchronous query is
 * impossible and we refuse rather than return a wrong answer.
 */
export function command(session: InspectorSession, method: string, params: object): object {
  const reply: { answered: boolean; error: Error | null; result: object | undefined } = {
    answered: false,
    error: null,
    result: undefined,
  };
  session.post(method, params, (error, result) => {
    reply.answered = true;
    reply.error = error;
    reply.result = result;
  });
  if (!reply.answered) {
    throw new InstanceFinderUnavailableError(
      `node:inspector answered ${method} asynchronously, so the heap cannot be queried inside a synchronous commit`,
      { backend: "heap", method },
    );
  }
  if (reply.error !== null) {
    throw new InstanceFinderUnavailableError(`${method} failed: ${reply.error.message}`, {
      backend: "heap",
      method,
      cause: reply.error,
    });
  }
  return reply.result ?? {};
}

/** The `objectId` of the remote object under `key` in a protocol result. */
export function remoteObjectId(result: object, key: string, method: string): string {
  const remote = (result as Record<string, unknown>)[key] as { objectId?: unknown } | undefined;
  const exception = (result as { exceptionDetails?: unknown }).exceptionDetails;
  if (exception === undefined && typeof remote?.objectId === "string") return remote.objectId;
  throw new InstanceFinderUnavailableError(
    `${method} did not return an object; the inspector's default context is probably not this module's realm`,
    { backend: "heap", method, result },
  );
}
