/**
 * A class is managed by one namespace (review advZ17). Registered in two,
 * each updated it as if alone: `b` renamed x→y, then `a`'s addField read
 * `old.x` (gone: z NaN) and put x back; a rollback in one put its old
 * methods over the other's new fields.
 * Now a second namespace is refused the class (MM_DUPLICATE_BINDING,
 * `details.managedIn`) by every way in — registerClass, a patch adding it as
 * a class's implementation, replaceImplementation — whether or not the
 * first has updated it, and the first goes on updating and rolling back.
 */
import { expect, test } from "vitest";
import {
  DuplicateBindingError,
  type MetamorphError,
  Namespace,
  patch,
  updateSync,
} from "../../src/index.js";

function thrown(f: () => unknown): MetamorphError {
  try {
    f();
  } catch (error) {
    return error as MetamorphError;
  }
  throw new Error("not refused");
}

type Path = "registerClass" | "addClass" | "replaceImplementation";
type Form = "class" | "handle";
type Update = "none" | "replaceMethods" | "renameField" | "replaceImplementation";

let worlds = 0;

/** Namespace `a` manages P (updated first as `update` says); `b` tries to take it by `path`. */
function attempt(path: Path, form: Form, update: Update) {
  class P {
    x = 1;
    hi() {
      return `v1 ${this.x}`;
    }
  }
  class P2 {
    x = 1;
    hi() {
      return `v2 ${this.x}`;
    }
  }
  Object.defineProperty(P2, "name", { value: "P" });
  class Q {
    q = 2;
  }
  const n = worlds++;
  // The registry: what is checked here is who manages the class, not finding.
  const a = new Namespace(`a${n}`, { instanceFinder: "registry" });
  const b = new Namespace(`b${n}`, { instanceFinder: "registry" });
  const A = a.registerClass(P);
  const B = b.registerClass(Q);
  const o = new A();
  const q = new B();
  const record =
    update === "none"
      ? undefined
      : updateSync(
          a,
          update === "replaceMethods"
            ? patch("u")
                .replaceMethods("P", {
                  hi(this: { x: number }) {
                    return `u ${this.x}`;
                  },
                })
                .build()
            : update === "renameField"
              ? patch("u").renameField("P", "x", "w").build()
              : patch("u").replaceImplementation("P", P2).build(),
        );
  const before = { version: b.version, bindings: b.bindingNames(), q: JSON.stringify(q) };
  const X = form === "class" ? P : A;
  const error = thrown(() => {
    if (path === "registerClass") b.registerClass(X);
    else if (path === "addClass")
      updateSync(
        b,
        patch("take")
          .addClass({ name: "P", fields: ["x"] })
          .replaceImplementation("P", X)
          .build(),
      );
    else updateSync(b, patch("take").replaceImplementation("Q", X).build());
  });
  return { a, b, A, o, q, record, before, error };
}

// Every way in, for every state a's class may be in: 24 cases, all of them.
const CASES = (["registerClass", "addClass", "replaceImplementation"] as const).flatMap((path) =>
  (["class", "handle"] as const).flatMap((form) =>
    (["none", "replaceMethods", "renameField", "replaceImplementation"] as const).map(
      (update) => [path, form, update] as const,
    ),
  ),
);

test.each(CASES)(
  "%s of a class another namespace manages (given as its %s; updated there: %s) is refused naming that namespace; both stay whole",
  (path, form, update) => {
    const { a, b, A, o, q, record, before, error } = attempt(path, form, update);
    expect(error).toBeInstanceOf(DuplicateBindingError);
    expect(error.code).toBe("MM_DUPLICATE_BINDING");
    expect(error.details).toMatchObject({ namespace: b.name, managedIn: a.name });
    expect(error.message).toContain(`is managed by namespace ${a.name}`);
    // Nothing of b changed: no binding, no version, its objects as they were.
    expect({ version: b.version, bindings: b.bindingNames(), q: JSON.stringify(q) }).toEqual(
      before,
    );
    // a rolls back and updates on, alone: its objects and new ones follow.
    record?.rollback();
    expect([JSON.stringify(o), o.hi()]).toEqual(['{"x":1}', "v1 1"]);
    updateSync(
      a,
      patch("z")
        .addField("P", "z", { default: 5, initial: (old) => (old.x as number) * 10 })
        .build(),
    );
    expect([JSON.stringify(o), JSON.stringify(new A())]).toEqual([
      '{"x":1,"z":10}',
      '{"x":1,"z":5}',
    ]);
  },
);

test("the reviewer's case: b is refused P, so a's update reads x", () => {
  class P {
    x = 1;
  }
  const a = new Namespace("shared-a", { instanceFinder: "registry" });
  const b = new Namespace("shared-b");
  const A = a.registerClass(P);
  const error = thrown(() => b.registerClass(P));
  expect([error.code, error.details.managedIn]).toEqual(["MM_DUPLICATE_BINDING", "shared-a"]);
  const o = new A();
  updateSync(
    a,
    patch("a1")
      .addField("P", "z", { default: 5, initial: (old) => (old.x as number) * 10 })
      .build(),
  );
  expect([JSON.stringify(o), JSON.stringify(new A())]).toEqual(['{"x":1,"z":10}', '{"x":1,"z":5}']);
});

test("the implementation another namespace runs is refused to registerClass; a new implementation may be one", () => {
  class P {
    x = 1;
  }
  class P2 {
    x = 1;
    y = 2;
  }
  Object.defineProperty(P2, "name", { value: "P" });
  const a = new Namespace("runs-a", { instanceFinder: "registry" });
  a.registerClass(P);
  updateSync(a, patch("v2").replaceImplementation("P", P2).build());
  const error = thrown(() => new Namespace("runs-b").registerClass(P2));
  expect([error.code, error.details.managedIn]).toEqual(["MM_DUPLICATE_BINDING", "runs-a"]);
  // A test kit runs one patch over many worlds: each takes the same new
  // implementation, whose members are copied onto its own class.
  const c = new Namespace("runs-c", { instanceFinder: "registry" });
  class P1 {
    x = 1;
  }
  Object.defineProperty(P1, "name", { value: "P" });
  const C = c.registerClass(P1);
  const o = new C();
  updateSync(c, patch("v2").replaceImplementation("P", P2).build());
  expect(JSON.stringify(o)).toBe('{"x":1,"y":2}');
});
