/**
 * Which members of a class's prototype, as `registerClass` finds them, the
 * program put there rather than the class body. Plugins run at start-up,
 * before the class is registered (dayjs `extend`, chai `use`, bluebird
 * `promisifyAll(Cls.prototype)`, a program patching `Vector3.prototype`):
 * taken for the release's own, an update deleted the methods they added and
 * replaced their wrappers without a word (review advZ29), where the same
 * plugin installed after registration kept its methods and had its
 * wrappers named (MM_PROGRAM_METHOD_REPLACED).
 *
 * The class's source text (`Function.prototype.toString`) says what it
 * declares. A member it does not declare is the program's, added. One it
 * declares whose function is not the text's method (another source: a
 * wrapper) is the program's replacement. A package's own code outside the
 * class body (`X.prototype.m = …` after the class, TypeScript's
 * `__decorate` calls) cannot be told from a plugin by source: such a member
 * is taken for the program's too. Keeping a method is recoverable, and
 * deleting one is not; the update says which it kept.
 */
import { type MemberKey, propertyToMemberKey, sameMemberKey } from "./classDefinition.js";
import { createdDefinition } from "./createClass.js";
import type { ParsedClass } from "./source/parsedClass.js";
import { readableClassSource } from "./source/readableSource.js";
import { lineEndingsAlike, sourceOf } from "./functionText.js";
import { unwrapped } from "./standIns.js";

export interface MembersBeforeRegistration {
  /** Keys of methods and accessors the class body does not declare. */
  readonly added: readonly PropertyKey[];
  /** Keys the class body declares, whose function there is another (a wrapper). */
  readonly replaced: readonly PropertyKey[];
}

type Part = "value" | "get" | "set";
const KIND: Readonly<Record<Part, string>> = { value: "method", get: "get", set: "set" };

/** A member the class body declares: its kind (`method`, `get`, `set`) and its text. */
interface Declared {
  readonly kind: string;
  readonly key: MemberKey | null;
  readonly source: string;
}

/**
 * The program's members on `ctor.prototype` (but `skip`), or undefined
 * where the class has no source to read them from (an ES5 constructor, a
 * native or bound function): all are then taken for the release's, as
 * before. A class metamorph made from a definition (`defineClass`) has
 * only its own: not read.
 */
export function membersBeforeRegistration(
  ctor: Function,
  skip: ReadonlySet<PropertyKey>,
): MembersBeforeRegistration | undefined {
  if (createdDefinition(ctor) !== undefined) return undefined;
  const parsed = readableClassSource(ctor);
  if (parsed === undefined) return undefined;
  const declared = declaredMembers(ctor, parsed);
  const prototype = ctor.prototype as object;
  const added: PropertyKey[] = [];
  const replaced: PropertyKey[] = [];
  for (const key of Reflect.ownKeys(prototype)) {
    const d = unwrapped(Reflect.getOwnPropertyDescriptor(prototype, key));
    // A data property is release data or the program's value, as after registration (prototypeMembers.ts).
    if (skip.has(key) || d === undefined || ("value" in d && typeof d.value !== "function"))
      continue;
    const judged = judge(d, declaredUnder(declared, key));
    if (judged === "added") added.push(key);
    else if (judged === "replaced") replaced.push(key);
  }
  return { added, replaced };
}

/**
 * The instance methods and accessors the class text declares: keyed, as
 * the reader lists them (the only ones the Vite page is handed, without
 * spans), and under a computed key it could not resolve, from their spans.
 */
function declaredMembers(ctor: Function, parsed: ParsedClass): Declared[] {
  const keyed = parsed.methods.filter((m) => !m.static);
  const unresolved = parsed.members.filter(
    (m) => m.key === null && !m.static && !m.private && ["method", "get", "set"].includes(m.kind),
  );
  const text = unresolved.length === 0 ? "" : Function.prototype.toString.call(ctor);
  return [
    ...keyed.map((m) => ({ kind: m.kind, key: m.key, source: lineEndingsAlike(m.source) })),
    ...unresolved.map((m) => ({
      kind: m.kind,
      key: null,
      source: lineEndingsAlike(text.slice(m.start, m.end)),
    })),
  ];
}

/**
 * The members declared under `key`; where the text declares none so, those
 * under a computed key the reader could not resolve (`[kRun]() {…}`), which
 * may be it.
 */
function declaredUnder(declared: readonly Declared[], key: PropertyKey): readonly Declared[] {
  const memberKey = propertyToMemberKey(key);
  const keyed = declared.filter((m) => m.key !== null && sameMemberKey(m.key, memberKey));
  if (keyed.length > 0 || typeof key !== "symbol") return keyed;
  return declared.filter((m) => m.key === null);
}

/**
 * The release's own when each function of `d` is one the text declares, of
 * its kind, and every kind the text declares there is present (an accessor
 * whose setter the program took off is not the class's); added when the
 * text declares nothing there; else replaced. Where only unresolved computed
 * keys may declare it, a member none of their texts match is taken as
 * added: kept, not deleted.
 */
function judge(d: PropertyDescriptor, declared: readonly Declared[]): "own" | "added" | "replaced" {
  const parts: Part[] = "value" in d ? ["value"] : ["get", "set"];
  const present = parts.filter((p) => d[p] !== undefined);
  const matches = (p: Part) =>
    declared.some((m) => m.kind === KIND[p] && m.source === sourceOf(d[p]));
  if (declared.every((m) => m.key === null))
    return declared.length > 0 && present.every(matches) ? "own" : "added";
  const whole = parts.every((p) => d[p] !== undefined || !declared.some((m) => m.kind === KIND[p]));
  return whole && present.every(matches) ? "own" : "replaced";
}
