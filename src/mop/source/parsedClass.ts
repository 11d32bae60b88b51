/**
 * What reading a class's source yields: its members with their spans, its
 * fields in constructor order, its methods, statics and private members.
 */
import type { FieldDefinition, MemberKey, MethodDefinition } from "../classDefinition.js";

export type ParsedMemberKind = "field" | "method" | "get" | "set" | "constructor" | "static-block";

/** Where one member of a class stands in the parsed text. */
export interface ParsedMember {
  readonly kind: ParsedMemberKind;
  /** `x`, `#x`, `[Symbol.iterator]`, `constructor`, `static {}`, or `[expr]` for an unsupported computed key. */
  readonly name: string;
  /** The member key, or null for constructors, static blocks, private names and unsupported computed keys. */
  readonly key: MemberKey | null;
  readonly static: boolean;
  readonly private: boolean;
  /** Span in the parsed text, without leading comments (slice the text to get the member's source). */
  readonly start: number;
  readonly end: number;
}

export interface ParsedClass {
  /**
   * The class name; `""` for an anonymous class expression. In a module, the
   * binding name (`const X = class …` gives "X"; `export default class {}`
   * gives "default", as the engine names it).
   */
  readonly name: string;
  /** The `extends` expression as written, e.g. "Base" or "mixin(Base)". */
  readonly superclass: string | null;
  /** Instance fields in constructor order (see the module comment). */
  readonly fields: readonly FieldDefinition[];
  readonly staticFields: readonly FieldDefinition[];
  /** String- and symbol-keyed methods and accessors, instance and static, in source order. Private ones are not included. */
  readonly methods: readonly MethodDefinition[];
  readonly constructorSource: string | null;
  /** Whether instances or the class carry state that reflection cannot see: `#` members (auto-accessors are emitted as such) and lowered private fields. */
  readonly hasPrivateMembers: boolean;
  /**
   * Calls by which the class keeps state for its objects in a map outside
   * them, keyed by the object (`eventsMap.get(this…)`): invisible to
   * reflection, and bound to the module scope the class was evaluated in.
   */
  readonly stateOutside: readonly string[];
  /**
   * Instance fields the constructor creates by assignment only (`this.x =
   * …`, no declaration or define): where the class or a superclass has a
   * setter of that name, the assignment calls it and creates no field.
   */
  readonly assignedFields: readonly string[];
  /**
   * Instance fields whose initial value (as read: a declaration's
   * initialiser, or what the constructor assigns) names a binding of the
   * module the class was evaluated in, or a global such a binding may
   * shadow: it can be evaluated only in that module.
   */
  readonly moduleBoundFields: readonly string[];
  /**
   * Instance fields the constructor defines non-configurable
   * (`Object.defineProperty(this, "id", { value })`, the default being
   * `configurable: false`): no migration can delete or move them.
   */
  readonly fixedFields: readonly string[];
  /**
   * Instance fields declared without an initialiser (`note;`, what
   * TypeScript emits for `note?: string` under useDefineForClassFields) and
   * never written by the constructor: `undefined` on a fresh object too,
   * which is what a migrated object gets. Their `initializer` stays absent
   * (a definition's fields print and round-trip as read).
   */
  readonly bareFields: readonly string[];
  /**
   * Instance fields the constructor gives a function written in place
   * (`this.pack = function (v) { … }`, an arrow), with the function's text:
   * also those closing over its locals, which have no initialiser.
   */
  readonly functionFields: readonly (readonly [string, string])[];
  /** Declared `#` names, instance and static, in source order. */
  readonly privateMembers: readonly string[];
  /** What could not be learned, for people (computed keys, conditional fields, lowered private state, …). */
  readonly unsupported: readonly string[];
  /** Every member with its span. */
  readonly members: readonly ParsedMember[];
  /** Span of the class in the parsed text (an exported declaration's span includes `export`). */
  readonly start: number;
  readonly end: number;
}
