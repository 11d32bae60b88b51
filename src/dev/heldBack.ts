/**
 * Classes a save holds back while a call of theirs never returns (review
 * advZ26 L5). A save is compared with the running version, so a layout
 * change refused because a call in flight did not finish (a `Worker`'s
 * endless `async run()`) stayed part of every later save of its file: an
 * edit of another class's method, saved next, waited for the same call,
 * timed out and was refused the same way, until a restart. Now a save whose
 * wait times out applies the rest of the file, and keeps those classes on
 * their running version: their text in the JavaScript recorded as running
 * is the running one, so the next save is compared with what runs, and
 * tries them again. While the call that held them is still in flight and
 * their text is the same, a save does not wait for it again.
 */
import { LifecycleError } from "../errors.js";
import type { CallRecord, CallTracker } from "../lifecycle/callTracking.js";
import { type ClassChangeSummary, describeClassChange } from "./common.js";
import { parseModule, type TopClass, topLevel } from "./compile.js";
import type { ModuleRecord } from "./moduleGraph.js";
import type { CallsInFlight } from "./tracking.js";

/**
 * A save refused because the classes it changes wait for calls that did
 * not return, and it changes nothing else; `advice` is the line after it.
 */
export class HeldBackRefusal extends LifecycleError {
  constructor(
    message: string,
    details: Record<string, unknown>,
    readonly advice: string,
  ) {
    super(message, details);
  }
}

/** What a module's last save held back: the classes' saved text, and the calls that held them. */
interface Held {
  readonly texts: ReadonlyMap<string, string>;
  readonly calls: ReadonlySet<number>;
}

const heldByModule = new WeakMap<ModuleRecord, Held>();

function savedClasses(record: ModuleRecord, js: string): ReadonlyMap<string, TopClass> {
  return topLevel(parseModule(js, record.file, record.sourceType)).classes;
}

/** The calls in flight of the module's classes whose layout the save changes. */
function holdingCalls(record: ModuleRecord, waiting: CallsInFlight, tracker: CallTracker) {
  const affected = new Set(waiting.affected);
  const byName = [...record.classes].filter(([, handle]) => affected.has(handle));
  return byName.map(([name, handle]) => [name, tracker.inFlight([handle])] as const);
}

/** The calls in flight of the named classes of the module. */
export function heldCalls(
  record: ModuleRecord,
  names: ReadonlySet<string>,
  tracker: CallTracker,
): CallRecord[] {
  return [...names].flatMap((n) => {
    const handle = record.classes.get(n);
    return handle ? tracker.inFlight([handle]) : [];
  });
}

/** The module's classes that wait for a call in flight: held back if the wait times out. */
export function classesToHold(
  record: ModuleRecord,
  waiting: CallsInFlight,
  tracker: CallTracker,
): Set<string> {
  const held = holdingCalls(record, waiting, tracker).filter(([, calls]) => calls.length > 0);
  return new Set(held.map(([name]) => name));
}

/**
 * The classes to hold back at once, without waiting: those an earlier save
 * held back, unchanged since, while a call that held them is still in
 * flight (waiting for it timed out already). Undefined: wait.
 */
export function heldAgain(
  record: ModuleRecord,
  js: string,
  waiting: CallsInFlight,
  tracker: CallTracker,
): Set<string> | undefined {
  const before = heldByModule.get(record);
  if (before === undefined) return undefined;
  const calls = holdingCalls(record, waiting, tracker).flatMap(([, c]) => c);
  if (!calls.some((c) => before.calls.has(c.id))) return undefined;
  const names = classesToHold(record, waiting, tracker);
  const saved = savedClasses(record, js);
  const same = [...names].every((n) => before.texts.get(n) === saved.get(n)?.text);
  return names.size > 0 && same ? names : undefined;
}

/** Remembers what a save held back (or clears it: `names` empty). */
export function rememberHeld(
  record: ModuleRecord,
  js: string,
  names: ReadonlySet<string>,
  calls: readonly CallRecord[],
): void {
  if (names.size === 0) {
    heldByModule.delete(record);
    return;
  }
  const saved = savedClasses(record, js);
  const texts = new Map([...names].map((n) => [n, saved.get(n)?.text ?? ""] as const));
  heldByModule.set(record, { texts, calls: new Set(calls.map((c) => c.id)) });
}

/**
 * The saved JavaScript with the held classes' declarations as they run
 * (recorded as the running version); its source map is the saved one's,
 * exact up to the first held class. Undefined when it is the running
 * version (the save changes nothing else).
 */
export function withRunningClasses(
  record: ModuleRecord,
  js: string,
  names: ReadonlySet<string>,
): string | undefined {
  const saved = parseModule(js, record.file, record.sourceType);
  const running = parseModule(record.js, record.file, record.sourceType);
  const now = topLevel(saved).classes;
  const was = topLevel(running).classes;
  const spans = [...names]
    .flatMap((n) => {
      const a = now.get(n)?.statement;
      const b = was.get(n)?.statement;
      return a && b ? [{ a, text: running.js.slice(b.start, b.end) }] : [];
    })
    .sort((x, y) => y.a.start - x.a.start);
  let code = saved.js;
  for (const { a, text } of spans) code = code.slice(0, a.start) + text + code.slice(a.end);
  return code === running.js ? undefined : code + js.slice(saved.js.length);
}

/** `Worker.run()`, as the engine names calls; `otherwise` when there are none. */
export function callLabels(calls: readonly CallRecord[], otherwise: string): string {
  const labels = [...new Set(calls.map((c) => `${c.className}.${c.method}()`))];
  return labels.length > 0 ? labels.join(", ") : otherwise;
}

const clock = (at: number) => new Date(at).toTimeString().slice(0, 8);

/** `Worker.run() (async, started at 22:10:01, 95.2 s ago)`. */
export function describeCalls(calls: readonly CallRecord[]): string {
  const now = performance.now();
  const oldest = new Map<string, number>();
  for (const c of calls) {
    const label = `${c.className}.${c.method}()`;
    const at = Number.isNaN(c.startedAt) ? now : c.startedAt;
    oldest.set(label, Math.min(oldest.get(label) ?? at, at));
  }
  return [...oldest]
    .map(([label, at]) => {
      const ago = (now - at) / 1000;
      return `${label} (async, started at ${clock(Date.now() - (now - at))}, ${ago.toFixed(1)} s ago)`;
    })
    .join(", ");
}

/** `Worker (+extra)`: what is held back. */
export function heldChanges(
  summaries: readonly ClassChangeSummary[],
  names: ReadonlySet<string>,
): string {
  const held = summaries.filter((s) => names.has(s.className));
  return held.length > 0 ? held.map(describeClassChange).join("; ") : [...names].join(", ");
}

/** What a save holds back, for its note or its refusal. */
export interface Holding {
  /** `Worker (+extra)`. */
  readonly changes: string;
  /** The first class held back (where the error line points). */
  readonly className: string;
  /** The calls it waits for, described (describeCalls). */
  readonly calls: string;
  /** The calls as the engine names them (`Worker.run()`): what afterTimeout reads. */
  readonly engineCalls: string;
  /** The save waited for them now (false: an earlier save of the same classes did). */
  readonly waited: boolean;
  readonly timeoutMs: number;
}

const returned = (h: Holding) =>
  h.waited
    ? `did not return within ${h.timeoutMs} ms`
    : `has not returned (an earlier save waited ${h.timeoutMs} ms for it)`;

/** The note of a save applied without the classes it holds back. */
export function heldNote(file: string, h: Holding): string {
  return `${h.changes} not applied: it changes the objects of a call in flight, ${h.calls}, which ${returned(h)}. ${file} still has it: it applies at a save of ${file} once that call has returned; if it never returns (a loop), restart the program (rs and Enter) to apply it, or have the loop stop on a flag`;
}

/** The refusal of a save that changes nothing but classes it holds back. */
export function heldRefusal(file: string, h: Holding): HeldBackRefusal {
  return new HeldBackRefusal(
    `${h.changes} changes the objects of a call in flight, ${h.calls}, which ${returned(h)}`,
    { calls: h.engineCalls, timeoutMs: h.timeoutMs, className: h.className },
    `the running version is kept; let ${h.engineCalls} return (a loop: have it stop on a flag), then save ${file} again — or restart the program (rs and Enter) to apply this edit; a save that also changes other classes or functions of ${file} applies those at once`,
  );
}
