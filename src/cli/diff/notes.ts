/**
 * What changed between two releases that a patch does not carry: modules
 * added or removed, classes added or removed, module-level variables and
 * statements (module state is kept, as `metamorph dev` keeps it). Each note
 * says what happens to the running service; a restart applies them all.
 */
import type { ClassRenames } from "./classRenames.js";
import type { ReleaseInventory } from "./inventory.js";

/** The classes the patch carries though they are not in both releases under one name. */
interface Carried {
  readonly renames: ClassRenames;
  /** New classes the patch adds (a running class now extends them). */
  readonly added: ReadonlySet<string>;
}

function moduleNotes(old: ReleaseInventory, next: ReleaseInventory): string[] {
  const notes: string[] = [];
  for (const file of next.modules.keys()) {
    if (!old.modules.has(file)) {
      notes.push(
        `${file} is a new module: the running service never imported it; restart to load it`,
      );
    }
  }
  for (const file of old.modules.keys()) {
    if (!next.modules.has(file)) {
      notes.push(`${file} was removed: the running service keeps its code until a restart`);
    }
  }
  return notes;
}

function classNotes(old: ReleaseInventory, next: ReleaseInventory, carried: Carried): string[] {
  const notes: string[] = [];
  const renamedAway = new Set(carried.renames.values());
  for (const [name, cls] of next.classes) {
    if (!old.classes.has(name) && !carried.renames.has(name) && !carried.added.has(name)) {
      notes.push(
        `${cls.file}:${cls.line}: class ${name} is new: no code of the running service refers to it; restart to use it`,
      );
    }
  }
  for (const [name, cls] of old.classes) {
    if (!next.classes.has(name) && !renamedAway.has(name)) {
      notes.push(
        `${cls.file}: class ${name} was removed: its live instances keep the last version; restart to drop it`,
      );
    }
  }
  return notes;
}

/** The same for classes a module binds otherwise than by a declaration (./compiledClasses.ts). */
function compiledClassNotes(old: ReleaseInventory, next: ReleaseInventory): string[] {
  const notes: string[] = [];
  for (const [file, module] of next.modules) {
    const before = old.modules.get(file);
    if (!before) continue;
    for (const [name, cls] of module.compiled) {
      if (!before.compiled.has(name) && !before.top.classes.has(name)) {
        notes.push(
          `${file}:${cls.line}: class ${name} is new: no code of the running service refers to it; restart to use it`,
        );
      }
    }
    for (const name of before.compiled.keys()) {
      if (!module.compiled.has(name) && !module.top.classes.has(name)) {
        notes.push(
          `${file}: class ${name} was removed: its live instances keep the last version; restart to drop it`,
        );
      }
    }
  }
  return notes;
}

function statementNotes(old: ReleaseInventory, next: ReleaseInventory): string[] {
  const notes: string[] = [];
  for (const [file, module] of next.modules) {
    const before = old.modules.get(file);
    if (!before) continue;
    // A class it binds (./compiledClasses.ts) is no module state: a TODO says it changed.
    const classes = new Set([...module.compiled.values()].map((c) => c.binding));
    for (const [name, variable] of module.top.variables) {
      const was = before.top.variables.get(name);
      if (was && was.text !== variable.text && !variable.names.every((n) => classes.has(n))) {
        notes.push(
          `${file}:${variable.line}: module-level ${variable.kind} ${variable.names.join(", ")} changed: the service keeps its running value; restart to re-run its initialiser`,
        );
      }
    }
    for (const [name, fn] of module.top.functions) {
      if (!before.top.functions.has(name)) {
        notes.push(`${file}:${fn.line}: function ${name} is new: it exists after a restart`);
      }
    }
    const previous = new Set(before.top.others.map((o) => o.text));
    for (const other of module.top.others) {
      if (!previous.has(other.text) && !/^export\s*\{/.test(other.text)) {
        notes.push(
          `${file}:${other.line}: a changed top-level statement is not re-run (module state is kept); restart to run it`,
        );
      }
    }
  }
  return notes;
}

export function releaseNotes(
  old: ReleaseInventory,
  next: ReleaseInventory,
  carried: Carried,
): string[] {
  return [
    ...moduleNotes(old, next),
    ...classNotes(old, next, carried),
    ...compiledClassNotes(old, next),
    ...statementNotes(old, next),
  ];
}

/**
 * A module that lost a class and gained one that diff did not recognise as
 * its rename (./classRenames.ts): a person knows. Left so, the old class's
 * objects keep their version and the new class exists after a restart.
 */
export function possibleRenameTodos(
  old: ReleaseInventory,
  next: ReleaseInventory,
  renames: ClassRenames,
): string[] {
  const renamedAway = new Set(renames.values());
  const todos: string[] = [];
  for (const [file, module] of next.modules) {
    const before = old.modules.get(file);
    if (!before) continue;
    const gone = [...before.top.classes.keys()].filter(
      (n) => !next.classes.has(n) && !renamedAway.has(n),
    );
    const fresh = [...module.top.classes.keys()].filter(
      (n) => !old.classes.has(n) && !renames.has(n),
    );
    if (gone.length === 0 || fresh.length === 0) continue;
    const [to, from] = [fresh[0]!, gone[0]!];
    const migrations = `${file.replace(/\.[^./\\]+$/, "")}.migrations.ts`;
    todos.push(
      `${file}: class ${fresh.join(", ")} is new and class ${gone.join(", ")} is gone, and diff cannot tell whether one is the other renamed (it recognises a rename by the same superclass, methods and fields). If ${to} is ${from} renamed, say so in ${migrations}: export const classRenames = { ${to}: "${from}" }, and derive again: the patch then renames the class and its objects keep their state. Otherwise ${from}'s objects keep the running version, and ${to} exists after a restart`,
    );
  }
  return todos;
}
