/**
 * Whether code of an update's new version is running further up the stack
 * when a lazy migration fails at a first touch. The failure rolls the whole
 * update back; the touching call can then go on with the old version only
 * if everything above it is old code. A new method already running (it
 * migrated its own object, then touched another that fails) would go on
 * over objects back on the old layout and answer wrongly, silently: there
 * the touch throws instead.
 *
 * Read from the call stack, on the failure path only (guards cost nothing
 * more on their fast path): V8's structured call sites name each frame's
 * receiver class and member. A frame counts as new code when its receiver
 * is an object of a class the update changed (or of a subclass) and its
 * member is one such a class has, when it is the constructor of one, or a
 * static member of one. That errs on the side of throwing: an old method
 * of the same name still running from before the commit counts too. New
 * module functions (not members) are not seen. Where the platform gives no
 * structured stack (not V8), the touch throws.
 */
import { stateOf } from "../mop/classHandle.js";
import { type PassThrough, passThroughProbes } from "../mop/standIns.js";
import type { Namespace } from "../namespace/namespace.js";

/** One caller, as V8's call sites describe it. */
export interface Frame {
  /** The receiver's class name (`Function` for a static call), if any. */
  readonly type: string | null;
  readonly name: string | null;
  readonly method: string | null;
  readonly constructs: boolean;
}

interface CallSite {
  getTypeName(): string | null;
  getFunctionName(): string | null;
  getMethodName(): string | null;
  isConstructor(): boolean;
  getFileName(): string | null | undefined;
  getEvalOrigin(): string | undefined;
  getLineNumber(): number | null;
  getColumnNumber(): number | null;
}

type Capture = (holder: object, above: Function) => void;

/**
 * The frames that called `below`'s caller (`below` and its caller left
 * out), or undefined where the platform gives no structured stack. Each
 * activation of `below` further down is left out with its caller too: a
 * guard's slow path (`below`) ran a migration whose code touched another
 * object, and that guard has not run its member yet. Dressed as its member
 * (guardShapes.ts), its frame read as the member running (`Item.len`):
 * a migrator entered from the program's own loop got an abandoned call
 * instead of the old version's answer, and under a new method the error
 * named the guard, not the method. Those activations are known by where
 * they run (script, line and column of the topmost one), never by a name:
 * a guard bears its member's, and strict-mode frames give no function.
 */
export function callersOf(below: Function, outermost = false): Frame[] | undefined {
  // Never throws: its caller is on the way to a rollback (a frozen `Error`,
  // `--frozen-intrinsics`, makes the settings read-only: then no stack).
  try {
    const capture = (Error as unknown as { captureStackTrace?: Capture }).captureStackTrace;
    if (typeof capture !== "function") return undefined;
    const settings = Error as unknown as { prepareStackTrace: unknown; stackTraceLimit: number };
    const { prepareStackTrace, stackTraceLimit } = settings;
    try {
      settings.stackTraceLimit = Number.POSITIVE_INFINITY;
      settings.prepareStackTrace = (_: unknown, sites: unknown) => sites;
      if (settings.prepareStackTrace === prepareStackTrace) return undefined; // not writable
      const sites = sitesBelow(capture, below);
      if (sites === undefined) return undefined;
      const callers = withoutReentries(sites, sitesBelow(capture, callersOf), outermost);
      return withoutPassThroughs(callers, passThroughPlaces(capture)).map((site) => ({
        type: site.getTypeName(),
        name: site.getFunctionName(),
        method: site.getMethodName(),
        constructs: site.isConstructor(),
      }));
    } finally {
      restore(() => {
        settings.prepareStackTrace = prepareStackTrace;
      });
      restore(() => {
        settings.stackTraceLimit = stackTraceLimit;
      });
    }
  } catch {
    return undefined;
  }
}

function sitesBelow(capture: Capture, below: Function): CallSite[] | undefined {
  const holder: { stack?: unknown } = {};
  capture(holder, below);
  // V8 formats the stack when it is first read, with the hook in place then.
  const sites = holder.stack;
  return Array.isArray(sites) ? (sites as CallSite[]) : undefined;
}

/**
 * `sites` (those below `below`'s topmost activation) without the first,
 * its caller, nor any other activation of `below` and the caller of each.
 * `all` is the same stack from higher up: `below`'s topmost frame is the
 * one just above where the two meet, and gives the place. `outermost`:
 * only the frames below the last such activation, the callers of the
 * outermost one.
 */
function withoutReentries(
  sites: CallSite[],
  all: CallSite[] | undefined,
  outermost: boolean,
): CallSite[] {
  const at = all === undefined ? -1 : all.length - sites.length - 1;
  const place = at >= 0 ? placeOf(all![at]!) : undefined;
  // Not the same stack below the meeting point: `below`'s frame is not known.
  const known = place !== undefined && placeOf(all![at + 1]!) === placeOf(sites[0]!);
  const kept: CallSite[] = [];
  for (let i = 1; i < sites.length; i++) {
    if (known && placeOf(sites[i]!) === place) {
      i++;
      if (outermost) kept.length = 0;
    } else kept.push(sites[i]!);
  }
  return kept;
}

/** Where the call tracker's wrapper and its call of the wrapped method run. */
interface PassThroughPlaces {
  readonly wrapper: string;
  readonly call: string;
}

/** Learnt once, from the probes (the places never change); null: none to learn. */
let passThroughs: PassThroughPlaces | null | undefined;

function passThroughPlaces(capture: Capture): PassThroughPlaces | null {
  if (passThroughs !== undefined) return passThroughs;
  const probes = passThroughProbes();
  // Not loaded yet: asked again next time (no wrapper is installed either).
  if (probes === undefined) return null;
  const wrapper = placeCalling(capture, probes.wrapper);
  const call = placeCalling(capture, probes.call);
  passThroughs = wrapper !== undefined && call !== undefined ? { wrapper, call } : null;
  return passThroughs;
}

/** Where the code that `probe` stands for calls `inside`. */
function placeCalling(capture: Capture, probe: PassThrough["wrapper"]): string | undefined {
  let place: string | undefined;
  const inside = (): void => {
    place = placeOf(sitesBelow(capture, inside)?.[0]);
  };
  probe(inside);
  return place;
}

/**
 * `sites` without the call tracker's frames: its wrapper, named as the
 * method it wraps with the method's receiver, read as that method running
 * (review advZ31: a tracked `Account.deposit` abandoned the call that
 * touched a failing object, though no new code was under it). Left out from
 * the frame that calls the wrapped method out to the wrapper (the tracker's
 * own bookkeeping between); the wrapped method's frame, above, stays.
 */
function withoutPassThroughs(sites: CallSite[], places: PassThroughPlaces | null): CallSite[] {
  if (places === null) return sites;
  const kept: CallSite[] = [];
  for (let i = 0; i < sites.length; i++) {
    const place = placeOf(sites[i]);
    if (place === places.wrapper) continue;
    if (place !== places.call) {
      kept.push(sites[i]!);
      continue;
    }
    // Out to its own wrapper; a call with no wrapper outside (a held call let through later): itself only.
    let end = i + 1;
    let at = placeOf(sites[end]);
    while (end < sites.length && at !== places.wrapper && at !== places.call)
      at = placeOf(sites[++end]);
    if (at === places.wrapper) i = end;
  }
  return kept;
}

/** Where a frame runs, or undefined where its script is not named (no place to match). */
function placeOf(site: CallSite | undefined): string | undefined {
  if (site === undefined) return undefined;
  const script = site.getFileName() || site.getEvalOrigin();
  const line = site.getLineNumber();
  const column = site.getColumnNumber();
  return script && line !== null && column !== null ? `${script}:${line}:${column}` : undefined;
}

function restore(write: () => void): void {
  try {
    write();
  } catch {
    // Read-only: it was never changed.
  }
}

/**
 * The names frames give the members of `object` and of its prototypes up
 * to Object.prototype: a string key as it is, a symbol key as
 * `[description]` (`[Symbol.iterator]`).
 */
function memberNames(object: object | null, into: Set<string>): void {
  for (let p = object; p !== null && p !== Object.prototype && p !== Function.prototype; ) {
    for (const key of Reflect.ownKeys(p)) {
      into.add(typeof key === "string" ? key : `[${key.description ?? ""}]`);
    }
    p = Object.getPrototypeOf(p) as object | null;
  }
}

/** `get x` / `set x` → `x`. */
const bare = (name: string | null): string | null =>
  name === null ? null : name.replace(/^(?:get|set) /, "");

/**
 * Receivers that are never an object of a namespace class: a frame of
 * theirs is the platform's code (an `Array.map` calling back) or the
 * program's own plain objects.
 */
const PLATFORM_TYPES: ReadonlySet<string> = new Set([
  "Object",
  "Array",
  "Function",
  "Promise",
  "Map",
  "Set",
  "WeakMap",
  "WeakSet",
  "String",
  "Number",
  "Boolean",
  "Symbol",
  "BigInt",
  "RegExp",
  "Date",
  "Error",
  "process",
  "global",
  "Module",
  "ModuleJob",
  "ModuleLoader",
]);

/**
 * The first frame of `frames` running code of a class in `changed` (new
 * names; the namespace holds their new versions), as `Class.member`, or
 * undefined when every frame is other code. A frame's receiver is known by
 * its class's name only: every name a class deriving from a changed one
 * goes by (binding, handle, each of its versions: objects made before the
 * update report the old version's, which a release or a minifier may have
 * named otherwise). A receiver of a class the namespace does not know
 * (a subclass the program made of a handle, unregistered) running a
 * member such a class has counts too: that errs towards throwing.
 */
export function newCodeFrame(
  namespace: Namespace,
  changed: ReadonlySet<string>,
  frames: readonly Frame[],
): string | undefined {
  const changedPrototypes = new Set<object>();
  for (const name of changed) {
    if (namespace.has(name) && namespace.binding(name).kind === "class") {
      changedPrototypes.add(namespace.classNamed(name).prototype as object);
    }
  }
  const classes = new Set<string>();
  const others = new Set<string>();
  const members = new Set<string>();
  const statics = new Set<string>();
  for (const name of namespace.bindingNames()) {
    if (namespace.binding(name).kind !== "class") continue;
    const handle = namespace.classNamed(name);
    let derives = false;
    for (let p: object | null = handle.prototype as object; p !== null && !derives; ) {
      derives = changedPrototypes.has(p);
      p = Object.getPrototypeOf(p) as object | null;
    }
    const names = derives ? classes : others;
    names.add(name).add(handle.name);
    for (const version of stateOf(handle).versions) names.add(version.ctor.name);
    const own = Object.getOwnPropertyDescriptor(handle.prototype, "constructor")?.value as
      | { name?: unknown }
      | undefined;
    if (typeof own?.name === "string") names.add(own.name);
    if (!derives) continue;
    memberNames(handle.prototype as object, members);
    memberNames(handle, statics);
  }
  for (const frame of frames) {
    const member = frame.method ?? bare(frame.name);
    if (frame.constructs && frame.name !== null && classes.has(frame.name)) return frame.name;
    if (member === null) continue;
    const type = frame.type;
    if (type !== null && members.has(member)) {
      if (classes.has(type)) return `${type}.${member}`;
      if (!others.has(type) && !PLATFORM_TYPES.has(type)) return `${type}.${member}`;
    }
    if (type === "Function" && statics.has(member)) return member;
  }
  return undefined;
}
