/** Generators of method operations, migrators, validations and the policy. */
import { sameMemberKey } from "../../../mop/classDefinition.js";
import {
  VALIDATION_NAMES,
  POLICIES,
  PATCH_MIGRATORS,
  PATCH_NAMESPACE_CHECKS,
  PATCH_INSTANCE_CHECKS,
} from "./pools.js";
import type { Generator } from "./state.js";
import { update, methodSource, randomMethod, classes } from "./state.js";

export const addMethod: Generator = {
  applicable: (s) => s.classes.length > 0,
  apply: (b, s, p) => {
    const c = p.one(s.classes);
    const method = randomMethod(p, c.methods);
    if (!method) return b;
    update(s, c.name, (x) => ({ methods: [...x.methods, method] }));
    return b.addMethod(c.name, method);
  },
};

export const replaceMethod: Generator = {
  applicable: (s) => classes(s, (c) => c.methods.length > 0).length > 0,
  apply: (b, s, p) => {
    const c = p.one(classes(s, (c) => c.methods.length > 0));
    const old = p.one(c.methods);
    const method = { ...old, source: methodSource(old.key, old.kind, 10 + (p.next() % 10)) };
    update(s, c.name, (x) => ({ methods: x.methods.map((m) => (m === old ? method : m)) }));
    return b.replaceMethod(c.name, method);
  },
};

/** removeMethod, with or without its kind. */
export const removeMethod: Generator = {
  applicable: (s) => classes(s, (c) => c.methods.length > 0).length > 0,
  apply: (b, s, p) => {
    const c = p.one(classes(s, (c) => c.methods.length > 0));
    const old = p.one(c.methods);
    const withKind = p.chance();
    update(s, c.name, (x) => ({
      methods: x.methods.filter(
        (m) =>
          !(
            sameMemberKey(m.key, old.key) &&
            m.static === old.static &&
            (!withKind || m.kind === old.kind)
          ),
      ),
    }));
    return b.removeMethod(c.name, old.key, {
      static: old.static,
      ...(withKind ? { kind: old.kind } : {}),
    });
  },
};

export const migrate: Generator = {
  applicable: (s) => s.classes.length > 0,
  apply: (b, s, p) => b.migrate(p.one(s.classes).name, p.one(PATCH_MIGRATORS)),
};

export const validate: Generator = {
  applicable: (s) => VALIDATION_NAMES.some((n) => !s.validations.has(n)),
  apply: (b, s, p) => {
    const name = p.one(VALIDATION_NAMES.filter((n) => !s.validations.has(n)));
    s.validations.add(name);
    return b.validate(name, p.one(PATCH_NAMESPACE_CHECKS));
  },
};

export const validateInstances: Generator = {
  applicable: (s) => s.classes.length > 0 && VALIDATION_NAMES.some((n) => !s.validations.has(n)),
  apply: (b, s, p) => {
    const name = p.one(VALIDATION_NAMES.filter((n) => !s.validations.has(n)));
    const c = p.one(s.classes);
    s.validations.add(name);
    s.pinned.add(c.name);
    return b.validateInstances(name, c.name, p.one(PATCH_INSTANCE_CHECKS));
  },
};

export const policy: Generator = {
  applicable: () => true,
  apply: (b, _s, p) => b.policy(p.one(POLICIES)),
};
