/**
 * Costs of in-place object exchange and of instance handles, each next to
 * what a program would do without metamorph:
 * - swapObjects over 10^6 pairs (same class: values only; different classes:
 *   full rewrite) against a hand-written loop exchanging the fields;
 * - method calls and field reads on rewritten objects against fresh ones (the
 *   steady-state cost of having been swapped; goal ratio ≥ 0.95);
 * - method calls and field reads through an instance handle against direct
 *   ones, and retargeting 10^6 handles.
 */
import { createInstanceHandle, retargetInstanceHandle } from "../src/mop/index.js";
import { swapObjects } from "../src/index.js";
import { type BenchModule, type Figure, msOnce, versus } from "./harness.js";
// Every loop compiled from its own source text, so subject and baseline keep their own type feedback.
import { HOT, measureLoop, measurePair } from "./loops.js";

class Point {
  x: number;
  y: number;
  label: string;
  constructor(i: number) {
    this.x = i;
    this.y = i + 1;
    this.label = "p";
  }
  norm(): number {
    return this.x * this.x + this.y * this.y;
  }
}

class Particle {
  mass: number;
  speed: number;
  charge: number;
  constructor(i: number) {
    this.mass = i;
    this.speed = 2;
    this.charge = 0.5;
  }
  energy(): number {
    return this.mass * this.speed * this.speed;
  }
}

const PAIRS = 1_000_000;

const CALL_BODY = "acc += o.energy();";
const READ_BODY = "acc += o.mass + o.charge;";

function swapFigures(): Figure[] {
  const figures: Figure[] = [];

  // Same class: the prefix is kept and only values move.
  let as = Array.from({ length: PAIRS }, (_, i) => new Point(i));
  let bs = Array.from({ length: PAIRS }, (_, i) => new Point(-i));
  const sameMs = msOnce(() => swapObjects(as, bs));
  const handMs = msOnce(() => {
    for (let i = 0; i < PAIRS; i++) {
      const a = as[i]!;
      const b = bs[i]!;
      const { x, y, label } = a;
      a.x = b.x;
      a.y = b.y;
      a.label = b.label;
      b.x = x;
      b.y = y;
      b.label = label;
    }
  });
  figures.push(
    versus(
      "mop.swapObjects.1e6",
      sameMs,
      handMs,
      "ms",
      "10^6 pairs of the same class (3 fields); baseline: a hand-written loop exchanging the fields",
    ),
    versus(
      "mop.swapObjects.nsPerPair",
      (sameMs * 1e6) / PAIRS,
      (handMs * 1e6) / PAIRS,
      "ns/pair",
      "same class; baseline: hand-written field exchange",
    ),
  );

  // Different classes: every field is stripped, the prototype changes, the other fields are added.
  as = Array.from({ length: PAIRS }, (_, i) => new Point(i));
  const ps = Array.from({ length: PAIRS }, (_, i) => new Particle(i));
  const fullMs = msOnce(() => swapObjects(as, ps));
  figures.push({
    key: "mop.swapObjects.differentClasses.1e6",
    value: fullMs,
    unit: "ms",
    note: `10^6 pairs of different classes (full rewrite of 2·10^6 objects, ${((fullMs * 1e6) / (2 * PAIRS)).toFixed(0)} ns per object); no hand-written equivalent keeps identities`,
  });
  as = [];
  bs = [];
  return figures;
}

function steadyStateFigures(): Figure[] {
  // Objects that became Particles through a swap, against Particles built by `new`.
  const points = Array.from({ length: HOT }, (_, i) => new Point(i));
  const donors = Array.from({ length: HOT }, (_, i) => new Particle(i));
  swapObjects(points, donors);
  const swapped = points as unknown as Particle[];
  const fresh = Array.from({ length: HOT }, (_, i) => new Particle(i));

  const [swappedCall, freshCall] = measurePair(CALL_BODY, swapped, fresh);
  const [swappedRead, freshRead] = measurePair(READ_BODY, swapped, fresh);
  return [
    versus(
      "mop.swapObjects.rewrittenMethodCall",
      swappedCall,
      freshCall,
      "ns/op",
      "method call on objects rewritten by swapObjects; baseline: freshly constructed objects (ratio ≥ 0.95 is the goal)",
    ),
    versus(
      "mop.swapObjects.rewrittenFieldRead",
      swappedRead,
      freshRead,
      "ns/op",
      "two field reads on rewritten objects; baseline: freshly constructed objects (ratio ≥ 0.95 is the goal)",
    ),
  ];
}

function handleFigures(): Figure[] {
  const targets = Array.from({ length: HOT }, (_, i) => new Particle(i));
  const handles = targets.map((t) => createInstanceHandle(t));
  const proxies = targets.map(
    (t) =>
      new Proxy(t, {
        get: (target, key) => Reflect.get(target, key),
        set: (target, key, value) => Reflect.set(target, key, value),
      }),
  );

  const [handleCall, directCall] = measurePair(CALL_BODY, handles, targets);
  const [handleRead, directRead] = measurePair(READ_BODY, handles, targets);
  const proxyCall = measureLoop(CALL_BODY, proxies);

  // Retargeting: to new versions of the same class (a slot write), then to another class.
  const handleCount = PAIRS;
  const many = Array.from({ length: handleCount }, (_, i) => createInstanceHandle(new Particle(i)));
  const replacements = Array.from({ length: handleCount }, (_, i) => new Particle(-i));
  const retargetMs = msOnce(() => {
    for (let i = 0; i < handleCount; i++) retargetInstanceHandle(many[i]!, replacements[i]!);
  });
  const otherClass = Array.from(
    { length: handleCount },
    (_, i) => new Point(i) as unknown as Particle,
  );
  const retargetOtherMs = msOnce(() => {
    for (let i = 0; i < handleCount; i++) retargetInstanceHandle(many[i]!, otherClass[i]!);
  });

  return [
    versus(
      "mop.instanceHandle.methodCall",
      handleCall,
      directCall,
      "ns/op",
      `method call through a generated-forwarder handle; baseline: direct call (a get/set Proxy: ${proxyCall.toFixed(1)} ns/op)`,
    ),
    versus(
      "mop.instanceHandle.methodCall.proxy",
      proxyCall,
      directCall,
      "ns/op",
      "method call through a get/set-forwarding Proxy, for comparison; baseline: direct call",
    ),
    versus(
      "mop.instanceHandle.fieldRead",
      handleRead,
      directRead,
      "ns/op",
      "two field reads through a handle; baseline: direct reads",
    ),
    {
      key: "mop.instanceHandle.retarget.1e6",
      value: retargetMs,
      unit: "ms",
      note: "retargeting 10^6 handles to objects of the same class (a slot write each)",
    },
    {
      key: "mop.instanceHandle.retargetOtherClass.1e6",
      value: retargetOtherMs,
      unit: "ms",
      note: "retargeting 10^6 handles to objects of another class (forwarder prototype switch)",
    },
  ];
}

export const objectSwappingBench: BenchModule = {
  name: "objectSwapping",
  run() {
    return [...swapFigures(), ...steadyStateFigures(), ...handleFigures()];
  },
};
