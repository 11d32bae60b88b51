/**
 * Objects a finder let go without recording them, counted, so that it never
 * answers as if it knew them all.
 *
 * Where the heap cannot be queried (a browser page), the registry is the
 * only way to find instances, and recording an object (a `WeakRef`) keeps it
 * alive until its job ends, by specification: a task making 20 million
 * temporaries crashed a Chromium page that way. So past a cap per turn of
 * the event loop the adaptive finder stops recording and only counts, per
 * class: such objects
 * cost nothing and are freed as they die, but cannot be found — and nothing
 * says when they are all gone (a FinalizationRegistry would: it kept a cell
 * of about 40 bytes per object, 0.75 GB after that task, and Chromium had
 * not reported them dead a minute later). From then on an update of the
 * class (or of a superclass), its rollback and `allInstances` are refused
 * (MM_FINDER_UNAVAILABLE, MM_ROLLBACK), naming the class and why, rather
 * than done without them: the class can be updated again in a new realm (a
 * page reload). Other reads of the registry answer with what it recorded:
 * an update's sweep and completion look only for objects made before its
 * commit, which it refused to start without.
 */
import { InstanceFinderUnavailableError } from "../../errors.js";
import { chainContains, getPrototypeOf } from "./finder.js";

export class UntrackedObjects {
  /** Objects made past the cap, per prototype they were constructed on (the latest run of one prototype aside). */
  readonly #counts = new Map<object, number>();
  /** A loop makes objects of one class: counted here, into #counts when another comes or someone reads. */
  #latest: object | null = null;
  #latestCount = 0;

  constructor(
    /** Constructions per turn past which objects are counted (for the refusal's message). */
    readonly cap: number,
  ) {}

  /** Counts `instance` without keeping it. */
  add(instance: object): void {
    const prototype = getPrototypeOf(instance) as object | null;
    if (prototype === this.#latest) {
      this.#latestCount++;
      return;
    }
    this.#settle();
    this.#latest = prototype;
    this.#latestCount = 1;
  }

  #settle(): void {
    const latest = this.#latest;
    if (latest === null) return;
    this.#counts.set(latest, (this.#counts.get(latest) ?? 0) + this.#latestCount);
    this.#latest = null;
    this.#latestCount = 0;
  }

  /** Objects made past the cap on `prototype` (or below it, with `includeSubclasses`). */
  count(prototype: object, includeSubclasses = false): number {
    this.#settle();
    let total = this.#counts.get(prototype) ?? 0;
    if (includeSubclasses) {
      for (const [other, count] of this.#counts) {
        if (other !== prototype && chainContains(other, prototype)) total += count;
      }
    }
    return total;
  }

  /** Throws, naming the class, when objects of any of `prototypes` were let go unrecorded. */
  refuse(prototypes: readonly object[], includeSubclasses = false): void {
    this.#settle();
    if (this.#counts.size === 0) return;
    for (const prototype of prototypes) {
      const count = this.count(prototype, includeSubclasses);
      if (count === 0) continue;
      const name = (prototype as { constructor?: { name?: unknown } }).constructor?.name;
      const className = typeof name === "string" && name !== "" ? name : "(anonymous)";
      throw new InstanceFinderUnavailableError(
        `${count} instance${count === 1 ? " of " : "s of "}${className} ${count === 1 ? "was" : "were"} made in tasks past the ${this.cap} one task may make while they are recorded (the heap cannot be queried here, and recording keeps each object alive to the end of its task: more would exhaust memory), so ${className}'s instances can no longer all be found: it cannot be updated in place in this page or process; reload it to apply the change`,
        { className, untracked: count, cap: this.cap },
      );
    }
  }
}
