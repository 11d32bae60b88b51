/**
 * One warning of an update (its stable code, the class, the note) and how
 * every warning is built: the note, then the advice after it.
 */
import type { ClassDefinition } from "../mop/classDefinition.js";

export interface UpdateWarning {
  /**
   * Stable code. `MM_UNSEEN_STATE`: the source of a migrating class has state
   * the source reader could not learn (a field assigned only conditionally,
   * in a loop or by another method, a computed key, ...); or a class
   * upgraded to another release, nothing migrating, whose running
   * constructor makes properties it cannot name: they stay as they are.
   * `MM_NO_INITIAL_VALUE`: a new field of an ordinary class whose initial
   * value its constructor computes (from its arguments, say), which a
   * migration cannot run: migrated objects got `undefined`, and nothing in
   * the patch (a migrator, an initial value, a rename) gave it another; or
   * one with an initialiser that the constructor then changes (a write of
   * its own, or a method it calls that writes it): they got that initial
   * value, which the note quotes.
   * `MM_ALIAS_SPLIT`: the new constructor makes a field the old version had
   * an alias of a new one (`this._args = this.registeredArguments`, a
   * release renaming a field and keeping the old name): migrated objects
   * keep the old field's value and get the new field's initial value, two
   * values where fresh objects share one; no migrator joined them.
   * `MM_STALE_FUNCTION_FIELD`: a field whose initial value is a function
   * (`format = () => …`, a bound handler) has a new body in the new version:
   * existing objects keep their own function, the old body, and only fresh
   * objects get the new one (a migrator cannot make a function bound to the
   * live object: it sees a copy). A method changes on every object.
   * `MM_FIELDS_DROPPED`: a new implementation from another module scope (a
   * package's next release) drops fields of the running version while it
   * adds others, and the patch says no field was renamed (no `renames`, no
   * migrator): the dropped values are gone from every object, and the new
   * fields start from their initial values. A minifier's mangled names
   * changing between releases look exactly like this. Also the fields a
   * `changeSuperclass` takes from its objects (the old superclass's, that
   * the new one does not give and no migrator carries).
   * `MM_STATICS_DROPPED`: a new implementation from another module scope
   * takes a static the patch does not keep (`keepStatics`) whose running
   * value holds what the program put there (a counter not at its initial
   * value, a registry with entries the new release's value lacks:
   * superjson's `defaultInstance` with the classes registered in it; a
   * setting changed in place: three's `Object3D.DEFAULT_UP`): the class
   * reads the new release's value from now on.
   * `MM_STALE_CLOSURE`: the running version's code made closures that keep
   * the object (an arrow function given to a timer or a listener:
   * `setInterval(() => this._checkPing())`) and read members the new version
   * no longer has: they keep running with the old code and will find them
   * missing. Also an `async` or generator method of the running version
   * whose code after an `await`/`yield` reads such members: a call
   * suspended there resumes on the updated object. For a class metamorph
   * builds (`defineClass`, `addClass`) its definition's sources are read.
   * `MM_FIELD_KIND_CHANGED`: a field the new implementation keeps starts as
   * another kind of value there (`{}` became `new Map()`): every object kept
   * its value of the old kind, which the new code may use as the new one;
   * no migrator converted it.
   * `MM_UNSEEN_INSTANCES`: a migrating class registered without
   * `constructedOnlyThroughHandle`, in a namespace whose finder is the
   * registry, which records only objects made through the handle: objects
   * the class's own code, its package or code before registration made with
   * the class itself were not found, and keep the old layout.
   * `MM_OLD_RELEASE_VALUE`: a field of the objects alive now holds an object
   * of a class the running release made (luxon's Locale in a DateTime's
   * `loc`), which the update leaves as it is, where the new release's code
   * puts an object of another class, reads members the held one lacks, or
   * has a class of that name of its own (compared by identity: two
   * releases name their classes alike). Also objects in arrays the field
   * holds, and a field holding the running release's class itself where the
   * update replaces that class (what it constructs has the old fields).
   * `MM_PROGRAM_METHOD_REPLACED`: a method or accessor of the class's
   * prototype that the program replaced since the running release put it
   * there (a wrapper, instrumentation) was replaced by the new release's, or
   * removed where the new release has none: the program's function called
   * the running release's it captured, so it cannot be kept; a rollback puts
   * it back. Methods the program added under names no release has stay.
   * `MM_PROGRAM_METHOD_KEPT`: a method or accessor that was on the class's
   * prototype when it was registered, though its class body does not
   * declare it (a plugin's, installed at start-up; or the package's own
   * code outside the class), which the new release has none of: taken for
   * the program's, the update kept it; where the new release removed it,
   * the old one is still there. Said at the first update only.
   * `MM_CONSTRUCTOR_CALLS_NEW_METHOD`: a class whose new version is derived
   * (no new implementation) has a running constructor that calls, directly
   * or through methods it calls, a method the patch replaces or adds whose
   * source uses a field the patch renames (by its new name) or reads one it
   * adds: objects constructed from now on run it before the field change,
   * which then overwrites what it wrote (`new A(7)` got `amount` 0).
   * `MM_MIGRATOR_READS_MIGRATING`: under the lazy or progressive policy, a
   * migrator or a field's `initial` reads, on an object reached from `old`
   * (`old.account.balance`), a field a class migrating in the same update
   * renames or removes: that object may already be migrated when it runs,
   * so the value depends on which object was touched first.
   * `MM_PENDING_FIELD_READ`: under the lazy or progressive policy, a method
   * the patch adds or replaces reads, on one of its parameters, a field its
   * class renames or adds (`compare(o) { return this.amount - o.amount }`):
   * an object still pending does not have it, and a direct field read does
   * not migrate it (`b.compare(a)` was NaN while `a` was pending).
   * `MM_CLASS_BUILDS_OLD_LAYOUT`: a class registered without
   * `constructedOnlyThroughHandle` whose own fields the patch adds, renames
   * or removes, with no new implementation: objects the class itself builds
   * from now on (its static factories, its package, `new obj.constructor()`)
   * have the old fields under the new methods, and no update migrates them.
   * `MM_WARNING_CHECK_FAILED`: one of the looks made after the commit to
   * give these warnings threw (it read an object whose Proxy trap threw):
   * the update is committed, and what that look would have said is not
   * known; `cause` is what it threw.
   */
  readonly code:
    | "MM_UNSEEN_STATE"
    | "MM_NO_INITIAL_VALUE"
    | "MM_ALIAS_SPLIT"
    | "MM_STALE_FUNCTION_FIELD"
    | "MM_FIELDS_DROPPED"
    | "MM_STATICS_DROPPED"
    | "MM_STALE_CLOSURE"
    | "MM_FIELD_KIND_CHANGED"
    | "MM_UNSEEN_INSTANCES"
    | "MM_OLD_RELEASE_VALUE"
    | "MM_PROGRAM_METHOD_REPLACED"
    | "MM_PROGRAM_METHOD_KEPT"
    | "MM_CONSTRUCTOR_CALLS_NEW_METHOD"
    | "MM_MIGRATOR_READS_MIGRATING"
    | "MM_PENDING_FIELD_READ"
    | "MM_CLASS_BUILDS_OLD_LAYOUT"
    | "MM_WARNING_CHECK_FAILED";
  readonly className: string;
  /** The field the note names, when it names one. */
  readonly field?: string;
  /** The reader's note, as in `ClassDefinition.unsupported`, or what was found. */
  readonly note: string;
  readonly message: string;
  /** What the look threw (MM_WARNING_CHECK_FAILED). */
  readonly cause?: unknown;
}

/** The source reader's notes about a definition (`ClassDefinition.unsupported`). */
export function notesOf(definition: ClassDefinition | undefined): readonly string[] {
  return definition?.unsupported ?? [];
}

/** A warning about a class, or one field of it: `advice` follows the note in the message. */
export function warning(
  code: UpdateWarning["code"],
  className: string,
  field: string | undefined,
  note: string,
  advice: string,
): UpdateWarning {
  const message = `class ${className}: ${brief(note)}; ${advice}`;
  return field === undefined
    ? { code, className, note, message }
    : { code, className, field, note, message };
}

/**
 * A note for a message: code it quotes on one line, and cut after 100
 * characters (prom-client's `Object.assign(this, { … })` spanned a screen);
 * the warning's `note` keeps it whole.
 */
function brief(note: string): string {
  return note.replace(/`([^`]*)`/g, (_, code: string) => {
    const line = code.replace(/\s+/g, " ");
    return `\`${line.length > 100 ? `${line.slice(0, 100)}…` : line}\``;
  });
}

/** Names as the notes quote them: `a`, `b`. */
export const quoted = (names: readonly string[]) => names.map((n) => `\`${n}\``).join(", ");
