/**
 * What a release's code means by a name: the value the name has in the
 * scopes its classes close over (their module's `const AvlTreeNode =
 * require("./avlTreeNode")`). Two releases of one package name their classes
 * alike, so a name says nothing about which release's class an object is
 * (5.0.1's AvlTreeNode passed for 5.4.0's, whose `instanceof AvlTreeNode`
 * then refused it on every insert); the binding does.
 *
 * Read through Node's inspector (`[[Scopes]]`, the variables some function
 * of the scope uses): where there is none (a page), or the engine does not
 * keep the variable, no binding is known and the callers judge by the
 * sources alone.
 */
import { command, type InspectorSession, loadInspector } from "../mop/instances/inspector.js";

/** A registered symbol: the inspector reaches the function, and hands each scope back, by evaluating source text. */
const PROBE = Symbol.for("metamorph.scopeBindings.probe");

type Remote = { value?: { objectId?: string; description?: string } };

/** What a release's code sees by name. */
export interface ScopeBindings {
  /** The value `name` has there, or undefined. */
  (name: string): unknown;
  /**
   * Every name with its value, the innermost first: a bundler's renamed
   * classes (`_Tokenizer`) are found only by looking at all of them
   * (classCounterparts.ts).
   */
  readonly entries: () => ReadonlyMap<string, unknown>;
}

/**
 * The bindings `fns`' code sees by name, looked up lazily: the first
 * function's innermost scope first, the global scope never (its names are
 * the program's, not a release's).
 */
export function scopeBindings(fns: readonly Function[]): ScopeBindings {
  let scopes: readonly Record<string, unknown>[] | undefined;
  let all: Map<string, unknown> | undefined;
  const read = () => (scopes ??= fns.flatMap(closedOver));
  const lookup = (name: string) => {
    for (const scope of read()) if (Object.hasOwn(scope, name)) return scope[name];
    return undefined;
  };
  const entries = () => {
    if (all === undefined) {
      all = new Map();
      for (const scope of read())
        for (const [name, value] of Object.entries(scope)) if (!all.has(name)) all.set(name, value);
    }
    return all;
  };
  return Object.assign(lookup, { entries });
}

/** The scopes `fn` closes over (copies of their variables), innermost first; none where the inspector cannot say. */
function closedOver(fn: Function): Record<string, unknown>[] {
  const store = globalThis as unknown as Record<symbol, unknown>;
  let session: InspectorSession | undefined;
  try {
    session = new (loadInspector().Session)();
    session.connect();
    store[PROBE] = fn;
    const { result } = command(session, "Runtime.evaluate", {
      expression: `globalThis[Symbol.for(${JSON.stringify(PROBE.description)})]`,
    }) as { result?: { objectId?: string } };
    if (result?.objectId === undefined) return [];
    const scopes = internal(session, result.objectId, "[[Scopes]]");
    if (scopes === undefined) return [];
    const entries = properties(session, scopes);
    const found: Record<string, unknown>[] = [];
    for (const entry of entries) {
      const id = entry.value?.objectId;
      if (id === undefined || entry.value?.description === "Global") continue;
      // Each entry is `{ description, object }`; `object` holds the scope's variables.
      delete store[PROBE];
      command(session, "Runtime.callFunctionOn", {
        objectId: id,
        functionDeclaration: `function () { globalThis[Symbol.for(${JSON.stringify(PROBE.description)})] = this.object; }`,
      });
      const scope = store[PROBE];
      if (typeof scope === "object" && scope !== null) found.push(scope as Record<string, unknown>);
    }
    return found;
  } catch {
    return [];
  } finally {
    delete store[PROBE];
    session?.disconnect();
  }
}

function properties(session: InspectorSession, objectId: string): readonly Remote[] {
  const { result } = command(session, "Runtime.getProperties", {
    objectId,
    ownProperties: true,
  }) as { result?: Remote[] };
  return result ?? [];
}

function internal(session: InspectorSession, objectId: string, name: string): string | undefined {
  const { internalProperties } = command(session, "Runtime.getProperties", {
    objectId,
    ownProperties: true,
  }) as { internalProperties?: (Remote & { name: string })[] };
  return internalProperties?.find((p) => p.name === name)?.value?.objectId;
}
