/**
 * The scopes a shadow gives the classes it adds or changes: what their code
 * is compiled against, and what each class's scope is from the commit on.
 * They reach the namespace only when the shadow is installed (and leave it
 * when that is undone), so a refused update leaves no trace in
 * `namespace.scopes`.
 */
import type { Constructor, CreateClassOptions } from "../mop/createClass.js";

type Scope = CreateClassOptions["scope"];

export class ShadowScopes {
  /** Scopes from the commit on, of the classes the shadow adds or changes. */
  readonly #kept = new Map<Constructor, Scope>();
  /** Where a class's new code sees more than its scope (the namespace's classes). */
  readonly #compile = new Map<Constructor, Scope>();

  constructor(private readonly installed: ReadonlyMap<Constructor, Scope>) {}

  /** What `handle`'s code is compiled against in the shadow. */
  of(handle: Constructor): Scope {
    return this.#compile.get(handle) ?? this.#kept.get(handle) ?? this.installed.get(handle) ?? {};
  }

  set(handle: Constructor, compile: Scope, keep: Scope = compile): void {
    this.#kept.set(handle, keep);
    if (keep === compile) this.#compile.delete(handle);
    else this.#compile.set(handle, compile);
  }

  delete(handle: Constructor): void {
    this.#kept.delete(handle);
    this.#compile.delete(handle);
  }

  /** The scopes `replaceNamespace` installs. */
  toInstall(): ReadonlyMap<Constructor, Scope> {
    return this.#kept;
  }
}
