/**
 * The script each function's code is in (V8's `[[FunctionLocation]]`),
 * read through Node's inspector: a function the running release's code
 * made (csv-parse 5.3's `transform()` returning the parser's closures) is
 * told from the new release's by it, whatever its text. Where there is no
 * inspector (a page), nothing is known.
 */
import { command, type InspectorSession, loadInspector } from "../mop/instances/inspector.js";

/** A registered symbol: the inspector reaches the functions by evaluating source text. */
const PROBE = Symbol.for("metamorph.functionOrigins.probe");

type Remote = { name?: string; value?: { objectId?: string; value?: { scriptId?: string } } };

/** The script id of each of `fns`; undefined for one the inspector places nowhere (a bound or built-in function). */
export function functionScripts(fns: readonly Function[]): (string | undefined)[] {
  const store = globalThis as unknown as Record<symbol, unknown>;
  let session: InspectorSession | undefined;
  try {
    session = new (loadInspector().Session)();
    session.connect();
    store[PROBE] = fns;
    const { result } = command(session, "Runtime.evaluate", {
      expression: `globalThis[Symbol.for(${JSON.stringify(PROBE.description)})]`,
    }) as { result?: { objectId?: string } };
    if (result?.objectId === undefined) return fns.map(() => undefined);
    const elements = properties(session, result.objectId).result ?? [];
    return fns.map((_, i) => {
      const id = elements.find((e) => e.name === String(i))?.value?.objectId;
      const location = id === undefined ? undefined : properties(session!, id).internalProperties;
      return location?.find((p) => p.name === "[[FunctionLocation]]")?.value?.value?.scriptId;
    });
  } catch {
    return fns.map(() => undefined);
  } finally {
    delete store[PROBE];
    session?.disconnect();
  }
}

function properties(
  session: InspectorSession,
  objectId: string,
): { result?: Remote[]; internalProperties?: Remote[] } {
  return command(session, "Runtime.getProperties", { objectId, ownProperties: true }) as {
    result?: Remote[];
    internalProperties?: Remote[];
  };
}
