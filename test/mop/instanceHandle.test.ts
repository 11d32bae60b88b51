import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { SwapArgumentError, UnswappableObjectError } from "../../src/index.js";
import {
  createInstanceHandle,
  instanceHandleTarget,
  isInstanceHandle,
  retargetInstanceHandle,
} from "../../src/mop/index.js";
import { swapObjects } from "../../src/index.js";
import { hasFastProperties, haveSameMap } from "../support/v8.js";

const RUNS = { seed: 42, numRuns: 100 } as const;

class Account {
  #balance: number;
  owner: string;
  constructor(owner: string, balance: number) {
    this.owner = owner;
    this.#balance = balance;
  }
  deposit(amount: number): number {
    this.#balance += amount;
    return this.#balance;
  }
  get balance(): number {
    return this.#balance;
  }
  describe(): string {
    return `${this.owner}: ${this.#balance}`;
  }
  whoAmI(): unknown {
    return this;
  }
}

/** The next version of Account: a different class with its own private brand. */
class AccountV2 {
  #cents: number;
  owner: string;
  currency = "EUR";
  constructor(owner: string, balance: number) {
    this.owner = owner;
    this.#cents = balance * 100;
  }
  deposit(amount: number): number {
    this.#cents += amount * 100;
    return this.#cents / 100;
  }
  get balance(): number {
    return this.#cents / 100;
  }
  describe(): string {
    return `${this.owner}: ${this.#cents / 100} ${this.currency}`;
  }
  whoAmI(): unknown {
    return this;
  }
}

class Shape {
  w = 2;
  h = 3;
  area(): number {
    return this.w * this.h;
  }
}
class Square extends Shape {
  side(): number {
    return this.w;
  }
  override area(): number {
    return this.w * this.w;
  }
}

describe("forwarding", () => {
  test("method calls run on the target, private fields included", () => {
    const account = new Account("ada", 10);
    const handle = createInstanceHandle(account);
    expect(handle.deposit(5)).toBe(15);
    expect(account.balance).toBe(15);
    expect(handle.balance).toBe(15);
    expect(handle.describe()).toBe("ada: 15");
    // `this` inside a forwarded method is the target, not the handle.
    expect(handle.whoAmI()).toBe(account);
  });

  test("field reads and writes go to the target", () => {
    const account = new Account("ada", 10);
    const handle = createInstanceHandle(account);
    expect(handle.owner).toBe("ada");
    handle.owner = "grace";
    expect(account.owner).toBe("grace");
    account.owner = "linus";
    expect(handle.owner).toBe("linus");
    expect(Object.hasOwn(handle, "owner")).toBe(false);
  });

  test("inherited methods, overrides, getters/setters, symbol and odd keys", () => {
    const tag = Symbol("tag");
    const square = new Square() as Square & { [tag]: string; "odd-key": number };
    square[tag] = "t";
    square["odd-key"] = 1;
    const handle = createInstanceHandle(square);
    expect(handle.area()).toBe(4);
    expect(handle.side()).toBe(2);
    expect(handle[tag]).toBe("t");
    handle["odd-key"] = 2;
    expect(square["odd-key"]).toBe(2);
    expect(handle).toBeInstanceOf(Square);
    expect(handle).toBeInstanceOf(Shape);
    expect(handle.constructor).toBe(Square);

    let stored = 0;
    class WithAccessor {
      get value(): number {
        return stored;
      }
      set value(v: number) {
        stored = v * 2;
      }
      *[Symbol.iterator](): Generator<number> {
        yield 1;
        yield 2;
      }
    }
    const h = createInstanceHandle(new WithAccessor());
    h.value = 21;
    expect(stored).toBe(42);
    expect(h.value).toBe(42);
    expect([...h]).toEqual([1, 2]);
  });

  test("arguments pass through unchanged (count, defaults, rest)", () => {
    class Args {
      count(...args: unknown[]): number {
        return args.length;
      }
      withDefault(a = "default"): string {
        return a;
      }
    }
    const handle = createInstanceHandle(new Args());
    expect(handle.count()).toBe(0);
    expect(handle.count(1, undefined, 3)).toBe(3);
    expect(handle.withDefault()).toBe("default");
    expect(handle.withDefault("given")).toBe("given");
  });

  test("null-prototype targets and targets with internal slots", () => {
    const bare = Object.create(null) as { x: number };
    bare.x = 1;
    const h = createInstanceHandle(bare);
    expect(h.x).toBe(1);
    const map = createInstanceHandle(new Map([["k", 1]]));
    expect(map.get("k")).toBe(1);
    expect(map.size).toBe(1);
  });

  test("JSON and for...in see the fields; Object.keys does not (documented limit)", () => {
    const handle = createInstanceHandle(new Shape());
    expect(JSON.stringify(handle)).toBe('{"w":2,"h":3}');
    const seen: string[] = [];
    for (const k in handle) seen.push(k);
    expect(seen).toEqual(["w", "h"]);
    expect(Object.keys(handle)).toEqual([]);
  });

  test("fields added to the target later need the `fields` option", () => {
    const target = new Shape() as Shape & { late?: number; later?: number };
    const handle = createInstanceHandle(target, { fields: ["later"] });
    target.late = 1;
    target.later = 2;
    expect(handle.late).toBeUndefined();
    expect(handle.later).toBe(2);
  });
});

describe("frozen targets", () => {
  test("reads and calls work; writes throw as they would on the target", () => {
    const frozen = Object.freeze(new Shape());
    const handle = createInstanceHandle(frozen);
    expect(handle.area()).toBe(6);
    expect(handle.w).toBe(2);
    expect(() => {
      (handle as Shape).w = 5;
    }).toThrow(TypeError);
    expect(frozen.w).toBe(2);
  });

  test("retargeting swaps one frozen value for another", () => {
    const v1 = Object.freeze(new Account("ada", 1));
    const v2 = Object.freeze(new Account("ada", 2));
    const handle = createInstanceHandle(v1);
    retargetInstanceHandle(handle, v2);
    expect(handle.balance).toBe(2);
    expect(instanceHandleTarget(handle)).toBe(v2);
  });
});

describe("retargeting", () => {
  test("switches behaviour and state; the handle keeps its identity", () => {
    const v1 = new Account("ada", 10);
    const handle = createInstanceHandle(v1);
    const registry = new WeakMap([[handle, "session"]]);
    const holder = { account: handle };

    const v2 = new AccountV2("ada", v1.balance);
    retargetInstanceHandle(handle, v2 as unknown as Account);
    expect(handle.describe()).toBe("ada: 10 EUR");
    expect(handle.deposit(1)).toBe(11);
    expect(v2.balance).toBe(11);
    expect(v1.balance).toBe(10);
    expect((handle as unknown as AccountV2).currency).toBe("EUR");
    expect(handle).toBeInstanceOf(AccountV2);
    expect(holder.account).toBe(handle);
    expect(registry.get(handle)).toBe("session");
    expect(isInstanceHandle(handle)).toBe(true);
  });

  test("same prototype: a slot write; handles stay fast and share a hidden class", () => {
    const handles = Array.from({ length: 20 }, (_, i) => createInstanceHandle(new Account("a", i)));
    for (const h of handles) {
      retargetInstanceHandle(h, new Account("b", 0));
      expect(hasFastProperties(h)).toBe(true);
      expect(haveSameMap(h, handles[0]!)).toBe(true);
      expect(h.owner).toBe("b");
    }
  });

  test("to another prototype and back: still fast, handles retargeted alike share a map", () => {
    const a = createInstanceHandle(new Shape());
    const b = createInstanceHandle(new Shape());
    for (let round = 0; round < 10; round++) {
      for (const h of [a, b]) {
        retargetInstanceHandle(h, new Square());
        expect(h.area()).toBe(4);
        retargetInstanceHandle(h, new Shape());
        expect(h.area()).toBe(6);
      }
      expect(hasFastProperties(a) && hasFastProperties(b)).toBe(true);
      expect(haveSameMap(a, b)).toBe(true);
    }
  });

  test("random sequences of operations behave as on the current target", () => {
    type Op =
      | { op: "set"; field: "w" | "h"; value: number }
      | { op: "area" }
      | { op: "retarget"; square: boolean; w: number };
    const opArb: fc.Arbitrary<Op> = fc.oneof(
      fc.record({
        op: fc.constant("set" as const),
        field: fc.constantFrom("w" as const, "h" as const),
        value: fc.integer({ min: -50, max: 50 }),
      }),
      fc.record({ op: fc.constant("area" as const) }),
      fc.record({
        op: fc.constant("retarget" as const),
        square: fc.boolean(),
        w: fc.integer({ min: 0, max: 9 }),
      }),
    );
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 30 }), (ops) => {
        let direct: Shape = new Shape();
        const handle = createInstanceHandle(direct);
        for (const op of ops) {
          if (op.op === "set") {
            handle[op.field] = op.value;
            expect(direct[op.field]).toBe(op.value);
          } else if (op.op === "area") {
            expect(handle.area()).toBe(direct.area());
          } else {
            direct = op.square ? new Square() : new Shape();
            direct.w = op.w;
            retargetInstanceHandle(handle, direct);
          }
          expect(handle.w).toBe(direct.w);
          expect(handle.h).toBe(direct.h);
          expect(instanceHandleTarget(handle)).toBe(direct);
        }
        expect(hasFastProperties(handle)).toBe(true);
      }),
      RUNS,
    );
  });
});

describe("refusals", () => {
  test("non-object targets", () => {
    for (const bad of [null, 1, "s", undefined]) {
      let caught: unknown;
      try {
        createInstanceHandle(bad as unknown as object);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(SwapArgumentError);
      expect((caught as SwapArgumentError).code).toBe("MM_SWAP_ARGUMENTS");
    }
  });

  test("retargeting something that is not a handle, or to a non-object, changes nothing", () => {
    const shape = new Shape();
    expect(() => retargetInstanceHandle(shape, new Shape())).toThrow(SwapArgumentError);
    expect(Object.getOwnPropertySymbols(shape)).toEqual([]);
    expect(() => instanceHandleTarget(shape)).toThrow(SwapArgumentError);
    const target = new Shape();
    const handle = createInstanceHandle(target);
    expect(() => retargetInstanceHandle(handle, null as unknown as Shape)).toThrow(
      SwapArgumentError,
    );
    expect(instanceHandleTarget(handle)).toBe(target);
  });

  test("a frozen handle cannot be retargeted, and stays as it was", () => {
    const target = new Shape();
    const handle = Object.freeze(createInstanceHandle(target));
    for (const next of [new Shape(), new Square()]) {
      let caught: unknown;
      try {
        retargetInstanceHandle(handle, next);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(UnswappableObjectError);
      expect((caught as UnswappableObjectError).code).toBe("MM_UNSWAPPABLE_OBJECT");
      expect(instanceHandleTarget(handle)).toBe(target);
      expect(handle).not.toBeInstanceOf(Square);
    }
  });

  test("swapObjects refuses handles (retarget them instead)", () => {
    const a = createInstanceHandle(new Shape());
    const b = createInstanceHandle(new Square());
    expect(() => swapObjects([a], [b])).toThrow(UnswappableObjectError);
  });

  test("isInstanceHandle", () => {
    expect(isInstanceHandle(createInstanceHandle({ a: 1 }))).toBe(true);
    expect(isInstanceHandle({ a: 1 })).toBe(false);
    expect(isInstanceHandle(null)).toBe(false);
    expect(isInstanceHandle(3)).toBe(false);
  });
});
