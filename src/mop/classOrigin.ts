/**
 * Where a class's source comes from: the platform (`Map`), a package
 * (`node_modules`, or a Node built-in module such as `node:events`), or the
 * program itself. Refusals use it to give advice the user can follow: a
 * package's class cannot be given hooks, the program's own can. Node only
 * (the function's script URL, from an in-process `node:inspector` session);
 * elsewhere, or when the inspector cannot say, the origin is "unknown".
 */
import type { InspectorSession } from "./instances/inspector.js";
import { command, loadInspector } from "./instances/inspector.js";
import { isNativeClass } from "./classHandle.js";

export type ClassOrigin =
  | { readonly kind: "native" }
  | { readonly kind: "package"; readonly url: string }
  | { readonly kind: "program"; readonly url: string }
  | { readonly kind: "unknown" };

const known = new WeakMap<Function, ClassOrigin>();
/** A registered symbol: the inspector finds the function by evaluating source text. */
const PROBE = Symbol.for("metamorph.classOrigin.probe");

/** Where `cls`'s source comes from (computed once per class; costs a debugger round trip, so refusal paths only). */
export function classOrigin(cls: Function): ClassOrigin {
  let origin = known.get(cls);
  if (origin === undefined) {
    origin = isNativeClass(cls) ? { kind: "native" } : originOfUrl(scriptUrl(cls));
    known.set(cls, origin);
  }
  return origin;
}

function originOfUrl(url: string | undefined): ClassOrigin {
  if (url === undefined || url === "") return { kind: "unknown" };
  return url.startsWith("node:") || /[\\/]node_modules[\\/]/.test(url)
    ? { kind: "package", url }
    : { kind: "program", url };
}

type EventSession = InspectorSession & {
  on(
    event: string,
    listener: (message: { params: { scriptId: string; url: string } }) => void,
  ): void;
};

function scriptUrl(cls: Function): string | undefined {
  const store = globalThis as unknown as Record<symbol, unknown>;
  let session: EventSession | undefined;
  try {
    session = new (loadInspector().Session)() as EventSession;
    session.connect();
    store[PROBE] = cls;
    const evaluated = command(session, "Runtime.evaluate", {
      expression: `globalThis[Symbol.for(${JSON.stringify(PROBE.description)})]`,
    }) as { result?: { objectId?: string } };
    const objectId = evaluated.result?.objectId;
    if (objectId === undefined) return undefined;
    const properties = command(session, "Runtime.getProperties", {
      objectId,
      ownProperties: true,
    }) as { internalProperties?: { name: string; value?: { value?: { scriptId?: string } } }[] };
    const scriptId = properties.internalProperties?.find((p) => p.name === "[[FunctionLocation]]")
      ?.value?.value?.scriptId;
    if (scriptId === undefined) return undefined;
    // Enabling the debugger reports every script parsed so far, with its URL.
    let url: string | undefined;
    session.on("Debugger.scriptParsed", ({ params }) => {
      if (params.scriptId === scriptId) url = params.url;
    });
    command(session, "Debugger.enable", {});
    command(session, "Debugger.disable", {});
    return url;
  } catch {
    return undefined;
  } finally {
    delete store[PROBE];
    session?.disconnect();
  }
}
