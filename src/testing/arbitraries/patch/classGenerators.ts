/** Generators of class operations: add, remove, rename, change or insert a superclass, split. */
import type { FieldDefinition } from "../../../mop/classDefinition.js";
import { PATCH_FIELD_NAMES } from "./pools.js";
import type { Generator } from "./state.js";
import {
  byName,
  fieldNames,
  freeClassNames,
  freeFieldNames,
  ancestors,
  descendants,
  update,
  randomMethod,
  superclassCandidates,
  classes,
} from "./state.js";

export const addClass: Generator = {
  applicable: (s) => freeClassNames(s).length > 0,
  apply: (b, s, p) => {
    const name = p.one(freeClassNames(s));
    const superclass = p.chance() || s.classes.length === 0 ? null : p.one(s.classes).name;
    const inherited = new Set(
      superclass === null
        ? []
        : [byName(s, superclass), ...ancestors(s, superclass)].flatMap(fieldNames),
    );
    const fields = PATCH_FIELD_NAMES.filter((f) => !inherited.has(f) && p.next() % 3 === 0).map(
      (f): FieldDefinition => (p.chance() ? { name: f } : { name: f, initializer: "null" }),
    );
    const method = p.chance() ? randomMethod(p, []) : undefined;
    const methods = method ? [method] : [];
    s.classes.push({ name, superclass, fields, methods });
    return b.addClass({ name, ...(superclass === null ? {} : { superclass }), fields, methods });
  },
};

/** Only leaves of the hierarchy that no validation names. */
export const removeClass: Generator = {
  applicable: (s) =>
    classes(s, (c) => descendants(s, c.name).length === 0 && !s.pinned.has(c.name)).length > 0,
  apply: (b, s, p) => {
    const c = p.one(
      classes(s, (c) => descendants(s, c.name).length === 0 && !s.pinned.has(c.name)),
    );
    s.classes = s.classes.filter((x) => x !== c);
    return b.removeClass(c.name);
  },
};

export const renameClass: Generator = {
  applicable: (s) =>
    freeClassNames(s).length > 0 && classes(s, (c) => !s.pinned.has(c.name)).length > 0,
  apply: (b, s, p) => {
    const c = p.one(classes(s, (c) => !s.pinned.has(c.name)));
    const to = p.one(freeClassNames(s));
    s.classes = s.classes.map((x) => ({
      ...x,
      name: x.name === c.name ? to : x.name,
      superclass: x.superclass === c.name ? to : x.superclass,
    }));
    return b.renameClass(c.name, to);
  },
};

/** No cycle, no field seen twice by one object. */
export const changeSuperclass: Generator = {
  applicable: (s) => superclassCandidates(s).length > 0,
  apply: (b, s, p) => {
    const [c, superclass] = p.one(superclassCandidates(s));
    update(s, c.name, () => ({ superclass }));
    return b.changeSuperclass(c.name, superclass);
  },
};

export const insertSuperclass: Generator = {
  applicable: (s) => freeClassNames(s).length > 0 && s.classes.length > 0,
  apply: (b, s, p) => {
    const c = p.one(s.classes);
    const name = p.one(freeClassNames(s));
    const fields = freeFieldNames(s, c.name)
      .filter(() => p.next() % 3 === 0)
      .map((f): FieldDefinition => ({ name: f }));
    s.classes = s.classes.map((x) => (x.name === c.name ? { ...x, superclass: name } : x));
    s.classes.push({ name, superclass: c.superclass, fields, methods: [] });
    return b.insertSuperclass(c.name, { name, fields });
  },
};

export const splitClass: Generator = {
  applicable: (s) =>
    freeClassNames(s).length > 0 &&
    classes(s, (c) => c.fields.length > 0 && freeFieldNames(s, c.name).length > 0).length > 0,
  apply: (b, s, p) => {
    const c = p.one(classes(s, (c) => c.fields.length > 0 && freeFieldNames(s, c.name).length > 0));
    const moved = p.subset(c.fields);
    const into = p.one(freeClassNames(s));
    const via = p.one(freeFieldNames(s, c.name));
    update(s, c.name, (x) => ({
      fields: [...x.fields.filter((f) => !moved.includes(f)), { name: via }],
    }));
    s.classes.push({ name: into, superclass: null, fields: moved, methods: [] });
    // The new objects must exist when the update runs: keep the class.
    s.pinned.add(into);
    return b.splitClass(
      c.name,
      moved.map((f) => f.name),
      { into, via },
    );
  },
};
