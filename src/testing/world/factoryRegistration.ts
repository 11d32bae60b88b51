/**
 * A `namespace:` factory's classes, registered as the kit uses them. A
 * factory that registers a class plainly (`ns.registerClass(Account)`)
 * tells the namespace that code may build instances without the handle, so
 * the default finder answers every update with a heap query (~0.3–1 s
 * each): a check of 100 runs per property took a quarter of an hour. The
 * kit builds every instance of its worlds itself, through the handles (and
 * records what it builds otherwise, see build.ts), so while the factory
 * runs for a world a plain registration is made with
 * `constructedOnlyThroughHandle: true` — unless the namespace's code may
 * build that class's instances itself (`new Account` in a method or a
 * static factory), which would leave those objects unmanaged under the
 * promise (see classesBuiltRaw). A factory that says
 * `constructedOnlyThroughHandle: false` is taken at its word. The workload
 * property runs the program's own calls, which may build instances with the
 * class itself: it gets the factory's namespace as written.
 */
import { currentVersion } from "../../mop/classHandle.js";
import type { Constructor } from "../../mop/createClass.js";
import { Namespace } from "../../namespace/namespace.js";
import type { RegisterClassOptions } from "../../namespace/options.js";
import type { WorldModel } from "./types.js";

type Register = (cls: Constructor, options?: RegisterClassOptions) => Constructor;

/**
 * What in a source builds an instance without a handle: `new Account(`,
 * `new this(`, `new this.constructor(`, `Reflect.construct`, `Object.create(`.
 */
function rawConstructions(source: string): { names: Set<string>; anonymous: boolean } {
  const names = new Set<string>();
  for (const m of source.matchAll(/\bnew\s+([A-Za-z_$][\w$]*)/g)) names.add(m[1]!);
  const anonymous = /\bnew\s+this\b|\bReflect\.construct\b|\bObject\.create\s*\(/.test(source);
  return { names, anonymous };
}

/**
 * The classes of a namespace made as written whose instances the program may
 * build with the class itself: named in `new Name` by any class or function
 * of the namespace, or (`new this`, `Reflect.construct`) in their own source.
 * Promised for those, the registry would leave their objects unmanaged, so
 * they stay registered as written — and the heap query with them.
 */
export function classesBuiltRaw(ns: Namespace): Set<string> {
  const out = new Set<string>();
  const bindings = Object.values(ns.snapshot.bindings);
  for (const b of bindings) {
    const code =
      b.kind === "class"
        ? currentVersion(b.handle).ctor
        : b.kind === "function"
          ? b.function
          : undefined;
    if (code === undefined) continue;
    const { names, anonymous } = rawConstructions(Function.prototype.toString.call(code));
    for (const name of names) out.add(name);
    if (anonymous && b.kind === "class") {
      out.add(b.name);
      out.add(code.name);
    }
  }
  return out;
}

/**
 * `make()`, with every plain `registerClass` it makes promising construction
 * through the handle, but for the classes named in `builtRaw`.
 */
export function registeringThroughHandles(
  make: () => Namespace,
  builtRaw: ReadonlySet<string>,
): Namespace {
  const proto = Namespace.prototype as unknown as { registerClass: Register };
  const own = Object.getOwnPropertyDescriptor(proto, "registerClass")!;
  const register = own.value as Register;
  Object.defineProperty(proto, "registerClass", {
    ...own,
    value: function registerClass(this: Namespace, cls: Constructor, options?: unknown) {
      // Anything but an options object goes through as given: registerClass refuses it itself.
      const named = (options as { name?: unknown } | undefined)?.name;
      const plain =
        !builtRaw.has(cls.name) &&
        !(typeof named === "string" && builtRaw.has(named)) &&
        (options === undefined ||
          (typeof options === "object" &&
            options !== null &&
            !Object.hasOwn(options, "constructedOnlyThroughHandle")));
      const given = plain
        ? { ...(options as object), constructedOnlyThroughHandle: true }
        : options;
      return Reflect.apply(register, this, [cls, given]);
    },
  });
  try {
    return make();
  } finally {
    Object.defineProperty(proto, "registerClass", own);
  }
}

/** Per model, how to make a namespace exactly as its source writes it (the workload's). */
const asWritten = new WeakMap<WorldModel, () => Namespace>();

export function rememberAsWritten(model: WorldModel, make: () => Namespace): void {
  asWritten.set(model, make);
}

/** A fresh namespace of `model` as its source writes it (the model's own maker, for other sources). */
export function namespaceAsWritten(model: WorldModel): Namespace {
  return (asWritten.get(model) ?? model.make)();
}
