/**
 * What a class handle costs the program that holds it, each next to the same
 * work without the handle, in the same run:
 * - construction through a class handle against `new` of the same class
 *   version (the handle's forwarding constructor alone, then with the
 *   registry instance finder's WeakRef recording);
 * - method calls and field reads on handle-constructed objects against
 *   objects built by the class version directly;
 * - construction through the handle of a 2-level subclass;
 * - and, for context, classes made by createClass against the same classes
 *   written by hand with `class` syntax;
 * - ordinary classes registered with a namespace (as `metamorph dev` does):
 *   construction through the handle, after a new implementation, and of a
 *   registered subclass, against the same classes written by hand;
 * - the issue-13 goals against a plain class written by hand, for each
 *   finder (the platform's default first): construction in three patterns
 *   (a tight loop whose objects die young, one whose objects are kept, and
 *   constructions spread over event-loop turns) and `instanceof`.
 */
import { execFile } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { currentVersion } from "../src/mop/index.js";
import type { Constructor } from "../src/mop/index.js";
import {
  defaultInstanceFinderKind,
  heapFinderAvailable,
} from "../src/mop/instances/defaultFinder.js";
import { Namespace, patch, updateSync } from "../src/index.js";
import { type BenchModule, type Figure, versus } from "./harness.js";
import { longLivedFigures } from "./longLived.js";
import { consume } from "./harness.js";
import {
  constructLoop,
  HOT,
  measureConstructionPair,
  measurePair,
  median,
  natives,
  nextTask,
} from "./loops.js";
import {
  ARGS,
  defineClasses,
  definePoint,
  NativePoint,
  NativePoint3,
  type Point,
} from "./pointClasses.js";

const SUB_ARGS = `{ x: i, y: i + 1, label: "p", z: 2 }`;
const RATIO = "ratio = baseline / value: higher is better, 1 = as fast as the baseline";
const CALL_BODY = "acc += o.norm();";
const READ_BODY = "acc += o.x + o.y;";

const versionOf = (handle: Constructor) => currentVersion(handle).ctor as unknown as Function;

function sameMapNote(a: object, b: object): string {
  if (!natives) return "";
  return natives.haveSameMap(a, b)
    ? "; both share one hidden class"
    : "; they do NOT share a hidden class";
}

async function constructionFigures(): Promise<Figure[]> {
  // The heap finder records nothing at construction: the handle's forwarding alone.
  const bare = defineClasses(new Namespace("bench-mop-heap", { instanceFinder: "heap" }));
  // The default registry finder records a WeakRef per construction.
  const registered = defineClasses(new Namespace("bench-mop-registry"));

  const [handleNew, plainNew] = await measureConstructionPair(
    ARGS,
    bare.Point,
    versionOf(bare.Point),
  );
  const [registryNew, plainNew2] = await measureConstructionPair(
    ARGS,
    registered.Point,
    versionOf(registered.Point),
  );
  const [subNew, subPlainNew] = await measureConstructionPair(
    SUB_ARGS,
    bare.Point3,
    versionOf(bare.Point3),
  );
  const [createdNew, nativeNew] = await measureConstructionPair(
    ARGS,
    versionOf(bare.Point),
    NativePoint,
  );
  const [subHandleNew, subNativeNew] = await measureConstructionPair(
    SUB_ARGS,
    bare.Point3,
    NativePoint3,
  );
  const a = new bare.Point({ x: 1, y: 2, label: "p" });
  const b = new (versionOf(bare.Point) as new (init: object) => object)({ x: 1, y: 2, label: "p" });
  const updated = await afterUpdateFigures();
  return [
    ...updated,
    versus(
      "mop.classHandle.construction",
      handleNew,
      plainNew,
      "ns/op",
      `new through a class handle (generated forwarding constructor, heap finder: nothing recorded); baseline: new of the same class version directly${sameMapNote(a, b)}; ${RATIO}`,
    ),
    versus(
      "mop.classHandle.construction.registry",
      registryNew,
      plainNew2,
      "ns/op",
      `new through a class handle of a namespace with the default registry finder (forwarding + one WeakRef per object; constructions spread over jobs of 1000, see mop.registryConstruction.* for one long job); baseline: new of the same class version directly; ${RATIO}`,
    ),
    versus(
      "mop.classHandle.construction.subclass",
      subNew,
      subPlainNew,
      "ns/op",
      `new through the handle of a 2-level subclass (heap finder); baseline: new of the subclass's current version directly (which still initialises inherited fields through the superclass handle); ${RATIO}`,
    ),
    versus(
      "mop.classHandle.construction.subclass.vsNativeClass",
      subHandleNew,
      subNativeNew,
      "ns/op",
      `new through the handle of a 2-level subclass; baseline: the same two classes written by hand (class B extends A, same fields and constructor argument); ${RATIO}`,
    ),
    versus(
      "mop.createClass.construction.vsNativeClass",
      createdNew,
      nativeNew,
      "ns/op",
      `new of a class made by createClass (no handle); baseline: the same class written by hand with class syntax, same fields and init-object argument; ${RATIO}`,
    ),
  ];
}

/** The hand-written Point with one more field, as an addField update leaves the managed one. */
class NativeTaggedPoint extends NativePoint {
  tag = 0;
}

/**
 * Construction once a class has been updated: the forwarder and a
 * subclass's `super` initialisation read the initialiser the update
 * installed; read from a field the update reassigned, it was no longer
 * inlined, and every `new` cost 4–12× a plain one for good (review advY3).
 */
async function afterUpdateFigures(): Promise<Figure[]> {
  const methodsNs = new Namespace("bench-mop-methods", { instanceFinder: "heap" });
  const methods = defineClasses(methodsNs);
  updateSync(
    methodsNs,
    patch("bench-norm")
      .replaceMethods("Point", {
        norm(this: Point) {
          return Math.hypot(this.x, this.y);
        },
      })
      .build(),
  );
  const grownNs = new Namespace("bench-mop-grown", { instanceFinder: "heap" });
  const grown = defineClasses(grownNs);
  updateSync(grownNs, patch("bench-tag").addField("Point", "tag", { default: 0 }).build());
  const [point, nativePoint] = await measureConstructionPair(ARGS, methods.Point, NativePoint);
  const [sub, nativeSub] = await measureConstructionPair(SUB_ARGS, methods.Point3, NativePoint3);
  const [tagged, nativeTagged] = await measureConstructionPair(
    ARGS,
    grown.Point,
    NativeTaggedPoint,
  );
  return [
    versus(
      "mop.classHandle.construction.afterMethodsUpdate.vsNativeClass",
      point,
      nativePoint,
      "ns/op",
      `new through a class handle after an update replaced a method (heap finder); baseline: the same class written by hand; ${RATIO}`,
    ),
    versus(
      "mop.classHandle.construction.subclass.afterMethodsUpdate.vsNativeClass",
      sub,
      nativeSub,
      "ns/op",
      `new through the handle of a 2-level subclass after an update replaced a method of its superclass; baseline: the same two classes written by hand; ${RATIO}`,
    ),
    versus(
      "mop.classHandle.construction.afterAddField.vsNativeClass",
      tagged,
      nativeTagged,
      "ns/op",
      `new through a class handle after an addField update (the new field lands outside the object, where the handle's initial map has no room left: objects old and new share one hidden class); baseline: the class with the field, written by hand; ${RATIO}`,
    ),
  ];
}

function steadyStateFigures(): Figure[] {
  const { Point } = defineClasses(new Namespace("bench-mop-steady", { instanceFinder: "heap" }));
  const Version = versionOf(Point) as new (init: object) => Point;
  const viaHandle = Array.from(
    { length: HOT },
    (_, i) => new Point({ x: i, y: i + 1, label: "p" }),
  );
  const direct = Array.from({ length: HOT }, (_, i) => new Version({ x: i, y: i + 1, label: "p" }));
  const native = Array.from(
    { length: HOT },
    (_, i) => new NativePoint({ x: i, y: i + 1, label: "p" }),
  );

  const [handleCall, directCall] = measurePair(CALL_BODY, viaHandle, direct);
  const [handleRead, directRead] = measurePair(READ_BODY, viaHandle, direct);
  const [createdCall, nativeCall] = measurePair(CALL_BODY, viaHandle, native);
  const same = sameMapNote(viaHandle[0]!, direct[0]!);
  return [
    versus(
      "mop.classHandle.methodCall",
      handleCall,
      directCall,
      "ns/op",
      `method call on objects built through a class handle; baseline: objects built by the class version directly${same}; ${RATIO}`,
    ),
    versus(
      "mop.classHandle.fieldRead",
      handleRead,
      directRead,
      "ns/op",
      `two field reads on objects built through a class handle; baseline: objects built by the class version directly${same}; ${RATIO}`,
    ),
    versus(
      "mop.classHandle.methodCall.vsNativeClass",
      createdCall,
      nativeCall,
      "ns/op",
      `method call on objects built through a class handle; baseline: instances of the same class written by hand with class syntax; ${RATIO}`,
    ),
  ];
}

/** Constructions per one-job sample: the whole sample runs in one job, as a tight loop of a program would. */
const ONE_JOB = 300_000;

const SIDE_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), "constructionSide.ts");
const SIDE_ROUNDS = 3;
const run = promisify(execFile);

/** One side's fastest ns per construction, measured in a fresh process (constructionSide.ts says why). */
async function sideInProcess(
  side: string,
  pattern: "young" | "kept",
  samples: number,
): Promise<number> {
  const { stdout } = await run(
    process.execPath,
    [
      "--import",
      "tsx",
      "--expose-gc",
      "--allow-natives-syntax",
      SIDE_SCRIPT,
      side,
      pattern,
      String(ONE_JOB),
      String(samples),
    ],
    { timeout: 120_000 },
  );
  return Number(stdout.trim());
}

/**
 * ns per construction of ONE_JOB constructions in one job through a handle
 * of `kind`'s namespace and of the plain class: each side in processes of its
 * own, in alternating order, SIDE_ROUNDS each; the fastest run of each side
 * is kept (the code is deterministic; on a shared machine slower runs measure
 * the other processes).
 */
async function oneJobPair(kind: string, pattern: "young" | "kept"): Promise<[number, number]> {
  const handle: number[] = [];
  const plain: number[] = [];
  // The registry's rows carry no goal and cost ~0.5 µs a construction: one round, fewer samples.
  const rounds = kind === "registry" ? 1 : SIDE_ROUNDS;
  const samples = kind === "registry" ? 5 : 15;
  for (let round = 0; round < rounds; round++) {
    const handleFirst = round % 2 === 0;
    if (handleFirst) handle.push(await sideInProcess(kind, pattern, samples));
    plain.push(await sideInProcess("plain", pattern, samples));
    if (!handleFirst) handle.push(await sideInProcess(kind, pattern, samples));
  }
  return [Math.min(...handle), Math.min(...plain)];
}

const SPREAD_SAMPLES = 31;
const SPREAD_OPERATIONS = 100_000;
const PER_JOB = 1000;

/**
 * Constructions in jobs of PER_JOB with a macrotask between them, as
 * measureConstructionPair (median of interleaved samples), but each job's
 * time runs to the end of its microtasks: a finder may finish its work for
 * a run there (the adaptive finder records the run's objects at its end),
 * and the program pays that too. Returns [subject, baseline] in ns/op.
 */
async function spreadPair(
  subject: Function,
  baseline: Function,
  { perJob, operations, samples, between } = {
    perJob: PER_JOB,
    operations: SPREAD_OPERATIONS,
    samples: SPREAD_SAMPLES,
    between: nextTask,
  },
): Promise<[number, number]> {
  const ring: unknown[] = new Array(HOT).fill(null);
  const sides = [subject, baseline].map((C) => ({
    C,
    loop: constructLoop(ARGS),
    samples: [] as number[],
  }));
  for (const side of sides) consume(side.loop(side.C, ring, 20_000));
  for (let i = 0; i < samples; i++) {
    for (const side of i % 2 === 0 ? sides : [sides[1]!, sides[0]!]) {
      let ms = 0;
      for (let done = 0; done < operations; done += perJob) {
        const t0 = performance.now();
        consume(side.loop(side.C, ring, perJob));
        // Microtasks queued by the run (before this await's continuation) run first.
        await Promise.resolve();
        ms += performance.now() - t0;
        await between();
      }
      side.samples.push((ms * 1e6) / operations);
    }
  }
  ring.fill(null);
  return [median(sides[0]!.samples), median(sides[1]!.samples)];
}

/**
 * `o instanceof C` over HOT objects, for a handle against a plain class. Each
 * entry carries its class, so one loop text serves both sides (compiled
 * separately, each monomorphic).
 */
function instanceofPair(handle: Function, plain: Function): [number, number] {
  const make = (C: Function) =>
    Array.from({ length: HOT }, (_, i) => ({
      o: new (C as typeof NativePoint)({ x: i, y: i, label: "p" }),
      C,
    }));
  return measurePair(
    "acc += e.o instanceof e.C ? 1 : 0;".replaceAll("e.", "o."),
    make(handle),
    make(plain),
  );
}

async function goalFigures(): Promise<Figure[]> {
  const preferred = defaultInstanceFinderKind();
  const kinds = heapFinderAvailable()
    ? (["adaptive", "heap", "registry"] as const)
    : (["registry"] as const);
  const figures: Figure[] = [];
  for (const kind of kinds) {
    // A namespace per pattern: the adaptive finder switches for good once one job makes enough objects.
    const point = (pattern: string) =>
      defineClasses(new Namespace(`bench-mop-goal-${kind}-${pattern}`, { instanceFinder: kind }))
        .Point;
    const isDefault = kind === preferred;
    const who = `${kind} finder${isDefault ? " (the default here)" : ""}`;
    // The goal is the default finder's; the heap finder's rows carry it too,
    // since in Node it is the finder that can meet it (the registry's WeakRef
    // per construction cannot, see registryFinder.ts).
    const goal = isDefault || kind === "heap" ? "; goal: ratio ≥ 0.77 (≤ 1.3× a plain new)" : "";
    const [young, youngPlain] = await oneJobPair(kind, "young");
    const [kept, keptPlain] = await oneJobPair(kind, "kept");
    const [spread, spreadPlain] = await spreadPair(point("spread"), NativePoint);
    // A service's pace: 100 every 4 ms (25,000 a second), below the adaptive
    // finder's switch (SWITCH_PER_SECOND): it keeps the registry and pays its
    // WeakRef per construction (review advZ8: the spread row, 10^5 a second
    // and more, measured the heap finder after the switch).
    const [steady, steadyPlain] =
      kind === "adaptive"
        ? await spreadPair(point("steady"), NativePoint, {
            perJob: 100,
            operations: 10_000,
            samples: 5,
            between: () => new Promise((resolve) => setTimeout(resolve, 4)),
          })
        : [Number.NaN, Number.NaN];
    if (kind === "adaptive")
      figures.push(
        versus(
          "mop.goal.construction.steady.adaptive",
          steady,
          steadyPlain,
          "ns/op",
          `constructions through a class handle at a service's pace, 100 every 4 ms (about 25,000 a second, dying young), each job timed to the end of its microtasks (${who}): below the rate at which it switches to the heap query, it keeps the registry, whose WeakRef per object is the cost (a choice: updates then never stop for a heap query, and the recording costs ~0.3% of a core at this pace); baseline: the same with a plain class${goal}`,
        ),
      );
    figures.push(
      versus(
        `mop.goal.construction.youngOneJob.${kind}`,
        young,
        youngPlain,
        "ns/op",
        `${ONE_JOB} constructions through a class handle in one job, each dying young (${who}; each side in processes of its own, see bench/constructionSide.ts); baseline: new of a plain class written by hand, same fields${goal}`,
      ),
      versus(
        `mop.goal.construction.keptOneJob.${kind}`,
        kept,
        keptPlain,
        "ns/op",
        `${ONE_JOB} constructions through a class handle in one job, all kept in an array (${who}; each side in processes of its own); baseline: the same with a plain class${goal}`,
      ),
      versus(
        `mop.goal.construction.spread.${kind}`,
        spread,
        spreadPlain,
        "ns/op",
        `constructions through a class handle in jobs of ${PER_JOB} with an event-loop turn between them, dying young, each job timed to the end of its microtasks (${who}); baseline: the same with a plain class${goal}`,
      ),
    );
  }
  const alone = definePoint(
    new Namespace("bench-mop-instanceof-alone", { instanceFinder: preferred }),
  );
  const { Point, Point3 } = defineClasses(
    new Namespace("bench-mop-instanceof", { instanceFinder: preferred }),
  );
  const [aloneOf, plainOf] = instanceofPair(alone, NativePoint);
  const [extendedOf, extendedPlainOf] = instanceofPair(Point, NativePoint);
  const [leafOf, leafPlainOf] = instanceofPair(Point3, NativePoint3);
  figures.push(
    versus(
      "mop.goal.instanceof",
      aloneOf,
      plainOf,
      "ns/op",
      "`o instanceof Handle` on objects built through the handle of a class no other handle extends (the common case); baseline: `o instanceof Plain` on instances of a plain class; goal: ratio ≥ 0.83 (≤ 1.2× a plain class)",
    ),
    versus(
      "mop.instanceof.extendedHandle",
      extendedOf,
      extendedPlainOf,
      "ns/op",
      "the same against the handle of a class another handle extends (Point, extended by Point3); baseline: a plain class",
    ),
    versus(
      "mop.instanceof.subclassHandle",
      leafOf,
      leafPlainOf,
      "ns/op",
      "`o instanceof Point3` on objects built through the handle of a subclass; baseline: the same on a plain subclass",
    ),
  );
  return figures;
}

const POSITIONAL = "i, i + 1";

/** Two fresh objects of `C` share a hidden class (needs natives), as a note. */
function freshMapNote(C: new (x: number, y: number) => object): string {
  if (!natives) return "";
  return natives.haveSameMap(new C(1, 2), new C(3, 4))
    ? "; fresh objects share one hidden class"
    : "; every fresh object gets a hidden class of its own";
}

/**
 * Ordinary classes registered with a namespace, as `metamorph dev` registers
 * every class of a program: construction through the handle (the handle
 * calls the class itself), after a new implementation was installed (what
 * every reload of a class does), and of a registered subclass (a class
 * extending a handle), each against the same classes written by hand.
 */
async function registeredFigures(): Promise<Figure[]> {
  const ns = new Namespace("bench-mop-registered", { instanceFinder: "heap" });
  class Plain {
    constructor(
      public x: number,
      public y: number,
    ) {}
  }
  class PlainSub extends Plain {
    z = 1;
  }
  class Registered {
    constructor(
      public x: number,
      public y: number,
    ) {}
  }
  const Handle = ns.registerClass(Registered);
  class Sub extends Handle {
    z = 1;
  }
  const SubHandle = ns.registerClass(Sub);
  class Reloaded {
    constructor(
      public x: number,
      public y: number,
    ) {}
  }
  const ReloadedHandle = ns.registerClass(Reloaded);
  class Saved {
    constructor(
      public x: number,
      public y: number,
    ) {}
  }
  const SavedHandle = ns.registerClass(Saved, { constructedOnlyThroughHandle: true });
  class Saved2 {
    w = 0;
    constructor(
      public x: number,
      public y: number,
    ) {}
  }
  class Reloaded2 {
    w = 0;
    constructor(
      public x: number,
      public y: number,
    ) {}
  }
  class Plain2 {
    w = 0;
    constructor(
      public x: number,
      public y: number,
    ) {}
  }
  class Grown {
    constructor(
      public x: number,
      public y: number,
    ) {}
  }
  const GrownHandle = ns.registerClass(Grown);
  class PlainGrown {
    w = 0;
    constructor(
      public x: number,
      public y: number,
    ) {}
  }
  updateSync(ns, patch("bench-reload").replaceImplementation("Reloaded", Reloaded2).build());
  updateSync(ns, patch("bench-save").replaceImplementation("Saved", Saved2).build());
  updateSync(ns, patch("bench-add").addField("Grown", "w", { default: 0 }).build());
  const [registered, plain] = await measureConstructionPair(POSITIONAL, Handle, Plain);
  const [reloaded, plain2] = await measureConstructionPair(POSITIONAL, ReloadedHandle, Plain2);
  const [saved, plainSaved] = await measureConstructionPair(POSITIONAL, SavedHandle, Plain2);
  const [sub, plainSub] = await measureConstructionPair(POSITIONAL, SubHandle, PlainSub);
  const [grown, plainGrown] = await measureConstructionPair(POSITIONAL, GrownHandle, PlainGrown);
  return [
    versus(
      "mop.registered.construction",
      registered,
      plain,
      "ns/op",
      `new through the handle of a registered ordinary class (constructions in jobs of 1000); baseline: the same class written by hand, not registered${freshMapNote(Handle)}; ${RATIO}`,
    ),
    versus(
      "mop.registered.construction.afterNewImplementation",
      reloaded,
      plain2,
      "ns/op",
      `new through the handle of a registered class after an update installed a new implementation (what each reload of a class under metamorph dev does; the object is built by the new class, then moved onto the stable prototype); baseline: the new class written by hand, not registered${freshMapNote(ReloadedHandle)}; ${RATIO}`,
    ),
    versus(
      "mop.registered.construction.afterSave",
      saved,
      plainSaved,
      "ns/op",
      `the same for a class registered with constructedOnlyThroughHandle (as metamorph dev registers every class it manages): the new class builds each object straight onto the stable prototype, with a derived class of the handle's own as new.target (src/mop/stableClass.ts); baseline: the new class written by hand${freshMapNote(SavedHandle)}; ${RATIO}`,
    ),
    versus(
      "mop.registered.construction.afterAddField",
      grown,
      plainGrown,
      "ns/op",
      `new through the handle of a registered class after an addField update (a derived version: the class's own constructor builds the object, then the new field is defined on it, src/migration/building/freshReshape.ts); baseline: the class with the field, written by hand${freshMapNote(GrownHandle)}; ${RATIO}`,
    ),
    versus(
      "mop.registered.construction.subclass",
      sub,
      plainSub,
      "ns/op",
      `new through the handle of a registered subclass of a registered class (class Sub extends Handle); baseline: the same two classes written by hand${freshMapNote(SubHandle)}; ${RATIO}`,
    ),
  ];
}

export const mopBench: BenchModule = {
  name: "mop",
  async run() {
    return [
      ...(await goalFigures()),
      ...(await constructionFigures()),
      ...(await registeredFigures()),
      ...(await longLivedFigures()),
      ...steadyStateFigures(),
    ];
  },
};
