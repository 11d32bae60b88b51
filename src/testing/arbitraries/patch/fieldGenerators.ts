/** Generators of field operations: add, remove, rename, reorder, pull up, push down. */
import type { FieldDefinition } from "../../../mop/classDefinition.js";
import { PATCH_INITIALISERS, DEFAULTS } from "./pools.js";
import type { Generator } from "./state.js";
import { fieldNames, freeFieldNames, update, pullUpCandidates, classes } from "./state.js";

export const addField: Generator = {
  applicable: (s) => classes(s, (c) => freeFieldNames(s, c.name).length > 0).length > 0,
  apply: (b, s, p) => {
    const c = p.one(classes(s, (c) => freeFieldNames(s, c.name).length > 0));
    const field = p.one(freeFieldNames(s, c.name));
    const defaults = p.one(DEFAULTS);
    const initial = p.chance() ? { initial: p.one(PATCH_INITIALISERS) } : {};
    const before = c.fields.length > 0 && p.chance() ? p.one(fieldNames(c)) : undefined;
    const options = { ...defaults, ...initial, ...(before === undefined ? {} : { before }) };
    const initializer =
      "default" in defaults
        ? JSON.stringify(defaults.default)
        : "defaultSource" in defaults
          ? defaults.defaultSource
          : undefined;
    const definition: FieldDefinition =
      initializer === undefined ? { name: field } : { name: field, initializer };
    const at = before === undefined ? c.fields.length : fieldNames(c).indexOf(before);
    update(s, c.name, (x) => ({
      fields: [...x.fields.slice(0, at), definition, ...x.fields.slice(at)],
    }));
    return b.addField(c.name, field, options);
  },
};

export const removeField: Generator = {
  applicable: (s) => classes(s, (c) => c.fields.length > 0).length > 0,
  apply: (b, s, p) => {
    const c = p.one(classes(s, (c) => c.fields.length > 0));
    const field = p.one(fieldNames(c));
    update(s, c.name, (x) => ({ fields: x.fields.filter((f) => f.name !== field) }));
    return b.removeField(c.name, field);
  },
};

export const renameField: Generator = {
  applicable: (s) =>
    classes(s, (c) => c.fields.length > 0 && freeFieldNames(s, c.name).length > 0).length > 0,
  apply: (b, s, p) => {
    const c = p.one(classes(s, (c) => c.fields.length > 0 && freeFieldNames(s, c.name).length > 0));
    const field = p.one(fieldNames(c));
    const to = p.one(freeFieldNames(s, c.name));
    update(s, c.name, (x) => ({
      fields: x.fields.map((f) => (f.name === field ? { ...f, name: to } : f)),
    }));
    return b.renameField(c.name, field, to);
  },
};

export const reorderFields: Generator = {
  applicable: (s) => classes(s, (c) => c.fields.length > 1).length > 0,
  apply: (b, s, p) => {
    const c = p.one(classes(s, (c) => c.fields.length > 1));
    const fields = p.permutation(c.fields);
    update(s, c.name, () => ({ fields }));
    return b.reorderFields(
      c.name,
      fields.map((f) => f.name),
    );
  },
};

/** The field must fit the superclass's whole hierarchy once the siblings lose it. */
export const pullUpField: Generator = {
  applicable: (s) => pullUpCandidates(s).length > 0,
  apply: (b, s, p) => {
    const [c, field] = p.one(pullUpCandidates(s));
    const parent = c.superclass!;
    const definition = c.fields.find((f) => f.name === field)!;
    for (const sibling of classes(s, (x) => x.superclass === parent)) {
      update(s, sibling.name, (x) => ({ fields: x.fields.filter((f) => f.name !== field) }));
    }
    update(s, parent, (x) => ({ fields: [...x.fields, definition] }));
    return b.pullUpField(c.name, field);
  },
};

/** Into each direct subclass, at the end of its own fields. */
export const pushDownField: Generator = {
  applicable: (s) =>
    classes(s, (c) => c.fields.length > 0 && s.classes.some((x) => x.superclass === c.name))
      .length > 0,
  apply: (b, s, p) => {
    const c = p.one(
      classes(s, (c) => c.fields.length > 0 && s.classes.some((x) => x.superclass === c.name)),
    );
    const definition = p.one(c.fields);
    update(s, c.name, (x) => ({ fields: x.fields.filter((f) => f !== definition) }));
    for (const child of classes(s, (x) => x.superclass === c.name)) {
      update(s, child.name, (x) => ({ fields: [...x.fields, definition] }));
    }
    return b.pushDownField(c.name, definition.name);
  },
};
