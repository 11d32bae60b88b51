/**
 * The mark of an object a lazy update migrated at its first touch: a
 * non-enumerable, configurable property under the update's own symbol. The
 * guard of every method then tells a migrated object from a pending one by
 * `symbol in this` — answered from the hidden class alone, which V8 checks
 * anyway to call the method (the value is never loaded: loading and
 * comparing it cost 0.6–1 ns more per call) — where a WeakSet lookup costs
 * a hash-table probe (a cache miss once the table is large) and a WeakSet
 * entry (identity hash, insertion, rehash as it grows) about as much as the
 * rewrite itself.
 *
 * The brand is added right after the rewrite, so it is the object's last
 * property, and taken off (`delete`, which V8 undoes as a map transition back
 * to the object's hidden class without it) before anything else changes the
 * object's fields: when the guards go (the update complete), and before a
 * rollback rewrites the object (then moved into the WeakSet, which the
 * rollback consults). An object left with a brand would keep a hidden class
 * of its own, and a field deleted before it would put the object into
 * dictionary mode. What the program can see meanwhile: one more own symbol in
 * `Reflect.ownKeys` and `Object.getOwnPropertySymbols`; nothing enumerates it
 * (`Object.keys`, for-in, spread, `Object.assign`, JSON, structuredClone).
 *
 * The sweep brands what it migrates too, and takes the brands off in slices
 * of its own once every object is migrated (lazyCompletion.ts
 * `allMigrated`). Objects `completeMigration()` migrates get no mark at all
 * (the guards go as it returns; a guard reached meanwhile marks them in the
 * WeakSet, lazyCompletion.ts `settleMarks`). Objects the new version
 * builds while the update is pending are branded at construction
 * (`brandBuilt`), listed nowhere: the completion takes their brands off
 * from the objects its search meets anyway, a rollback from those it
 * rewrites, and the sweep (which brands nothing it builds meanwhile) from
 * those it finds.
 */

import { ChunkedList } from "./chunkedList.js";

/** Every brand key made (symbols as weak keys: one per lazy update, gone with it). */
const brandKeys = new WeakSet<symbol>();

function brandSymbol(): symbol {
  const symbol = Symbol("metamorph: migrated lazily");
  brandKeys.add(symbol);
  return symbol;
}

/** Whether `key` is a lazy update's brand: metamorph's, not the program's (updateHooks.ts). */
export function isBrandKey(key: PropertyKey): boolean {
  return typeof key === "symbol" && brandKeys.has(key);
}

export class Brands {
  /** Names this update (the guards' slow path is found by it, lazyMigration.ts). */
  readonly token: object = Object.freeze({});
  /**
   * The brand's key, one per update: the guards test `symbol in this`,
   * which V8 answers from the object's hidden class alone (no load of the
   * property's value), and a brand some other update left behind (on an
   * object frozen since its brand, which cannot lose it) does not count.
   */
  readonly symbol: symbol = brandSymbol();
  /**
   * The branded objects, to take the brands off again: held strongly while
   * the update's logs hold them anyway (for a rollback), weakly once it is
   * permanent (`weaken`), so that brands keep nothing alive.
   */
  private readonly objects = new ChunkedList<object | WeakRef<object>>();
  private weak = false;
  /** Per branded object, how many own string-keyed properties it had when branded. */
  private readonly named = new ChunkedList<number>();
  /**
   * Reused by every brand (Object.defineProperty reads it, and keeps
   * nothing). Its value is never read by a guard; a brand given at
   * construction (`brandBuilt`) holds there what unbranding it needs, so
   * every brand holds a small integer (one representation for the field).
   */
  private readonly descriptor: PropertyDescriptor = {
    value: 0,
    writable: false,
    enumerable: false,
    configurable: true,
  };

  get size(): number {
    return this.objects.length;
  }

  has(object: object): boolean {
    // A method may be called with a primitive `this`, which `in` refuses.
    return isObject(object) && this.symbol in object;
  }

  /**
   * Brands `object`, just rewritten to `named` own string-keyed properties
   * (and extensible). False where it could not be branded (a Proxy whose
   * trap refuses or throws): the caller marks it another way.
   */
  brand(object: object, named: number): boolean {
    if (!this.define(object, named)) return false;
    this.objects.push(this.weak ? new WeakRef(object) : object);
    this.named.push(named);
    return true;
  }

  private define(object: object, value: number): boolean {
    this.descriptor.value = value;
    try {
      return Reflect.defineProperty(object, this.symbol, this.descriptor);
    } catch {
      return false;
    }
  }

  /**
   * Brands `object`, just built by the new version while the update is
   * pending, so that the guards pass it on their fast path (a WeakSet entry
   * per construction cost 3–9× the construction, and each call on it a
   * lookup: review advY3 H3). It goes into no list: a `WeakRef` per
   * construction is the registry's cost (and V8 aborts past 2^24 of them in
   * one job), a strong one would keep every temporary alive. Whoever takes
   * the guards off finds such objects among the class's instances instead
   * (`unbrandBuilt`). Its value, negative, says it was built and how many
   * enumerable properties it had (for-in, as `unbrandExactly` counts them).
   * False where it could not be branded (the caller marks it another way).
   */
  brandBuilt(object: object): boolean {
    let named = 0;
    try {
      if (this.symbol in object) return true;
      for (const _ in object) named++;
    } catch {
      return false; // a Proxy's trap
    }
    return this.define(object, -1 - named);
  }

  /** Whether `object` carries a brand `brandBuilt` gave it. */
  builtBrand(object: object): boolean {
    return (
      Object.hasOwn(object, this.symbol) &&
      ((object as Record<symbol, number>)[this.symbol] as number) < 0
    );
  }

  /**
   * Takes the brand `brandBuilt` gave `object` off, exactly (see `clear`);
   * false (nothing done) if it has no such brand, or it cannot lose it (frozen since).
   */
  unbrandBuilt(object: object): boolean {
    if (!this.builtBrand(object)) return false;
    const named = -1 - (object as Record<symbol, number>)[this.symbol]!;
    try {
      unbrandExactly(object, this.symbol, named);
    } catch {
      return false;
    }
    return !Object.hasOwn(object, this.symbol);
  }

  /** The objects branded now, each with its `named` (a reopened update brands them again). */
  entries(): (readonly [object, number])[] {
    const entries: (readonly [object, number])[] = [];
    const { objects, named, symbol } = this;
    for (let i = 0; i < objects.length; i++) {
      const entry = objects.at(i);
      const object = entry instanceof WeakRef ? entry.deref() : entry;
      if (object !== undefined && this.has(object) && Object.hasOwn(object, symbol))
        entries.push([object, named.at(i)]);
    }
    return entries;
  }

  /**
   * From now on holds the branded objects weakly (the update became
   * permanent: nothing else of it may keep them alive).
   */
  weaken(): void {
    if (this.weak) return;
    this.weak = true;
    const { objects } = this;
    for (let i = 0; i < objects.length; i++) objects.set(i, new WeakRef(objects.at(i)));
  }

  /**
   * Takes every brand off. `each` sees every object that still carried this
   * update's brand, before its brand goes. `exact`: an object the program
   * gave properties after its brand gets them again after the brand is off,
   * so that it keeps the hidden class it would have had without a brand
   * (what every caller asks for: a rollback restores hidden classes, and a
   * completed update must not leave such an object in dictionary mode, slower
   * than a fresh one, for good); otherwise it just loses its brand.
   */
  clear(each?: (object: object) => void, exact = false): void {
    this.clearUntil(Number.POSITIVE_INFINITY, each, exact);
  }

  /**
   * `clear`, stopping once `performance.now()` reaches `deadline` (looked at
   * every 64 objects); true when no brand is left.
   */
  clearUntil(deadline: number, each?: (object: object) => void, exact = false): boolean {
    const { objects, named, symbol } = this;
    for (let i = objects.length - 1; i >= 0; i--) {
      if (
        (i & 63) === 0 &&
        deadline !== Number.POSITIVE_INFINITY &&
        performance.now() >= deadline
      ) {
        objects.truncate(i + 1);
        named.truncate(i + 1);
        return false;
      }
      const entry = objects.at(i);
      const object = entry instanceof WeakRef ? entry.deref() : entry;
      if (object === undefined) continue;
      try {
        if (!Object.hasOwn(object, symbol)) continue;
        each?.(object);
        if (exact) unbrandExactly(object, symbol, named.at(i));
        else delete (object as Record<symbol, unknown>)[symbol];
      } catch {
        // A Proxy trap that throws: its object keeps the brand, which no
        // later update looks for (each has its own symbol).
      }
    }
    objects.truncate(0);
    named.truncate(0);
    return true;
  }
}

const isObject = (value: unknown): value is object =>
  (typeof value === "object" && value !== null) || typeof value === "function";

/** Whether `key` names an array element, which V8 keeps apart from the properties. */
const isIndex = (key: string) => String(Number(key) >>> 0) === key && key !== "4294967295";

/**
 * Deletes the brand of `object`, which had `named` own string-keyed
 * properties when branded: those the program added since come after the
 * brand, so they are taken off first (last first, each a step back in V8's
 * transition tree), then the brand, and put back in their order. Where the
 * program also added symbols, their order against the strings is unknown:
 * the brand is only deleted.
 */
function unbrandExactly(object: object, symbol: symbol, named: number): void {
  const record = object as Record<string | symbol, unknown>;
  // Nothing enumerable added since the brand (the common case): counted by
  // for-in, which V8 answers from the object's enum cache; listing the
  // names instead costs 400–600 ns per object (an object with a
  // non-enumerable symbol has no fast path), more than its whole migration.
  // A non-enumerable string property the program defined after the brand is
  // therefore not looked for: that object only loses its fast properties.
  let enumerable = 0;
  for (const _ in object) enumerable++;
  if (enumerable <= named) {
    delete record[symbol];
    return;
  }
  const all = Object.getOwnPropertyNames(object);
  const names = all.filter((k) => !isIndex(k));
  if (names.length <= named || Object.getOwnPropertySymbols(object).length !== 1) {
    delete record[symbol];
    return;
  }
  const added = names.slice(named);
  const descriptors = added.map((k) => Reflect.getOwnPropertyDescriptor(object, k)!);
  // What cannot be put back (the object locked since, or a property it cannot
  // delete) stays: only the brand goes, and the object may turn slow, not lose state.
  if (!Object.isExtensible(object) || descriptors.some((d) => d.configurable !== true)) {
    delete record[symbol];
    return;
  }
  for (let i = added.length - 1; i >= 0; i--) delete record[added[i]!];
  delete record[symbol];
  added.forEach((k, i) => {
    const d = descriptors[i]!;
    if ("value" in d && d.writable && d.enumerable && d.configurable) record[k] = d.value;
    else Object.defineProperty(object, k, d);
  });
}
