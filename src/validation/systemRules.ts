/** The rule ids of the system validations (the checks metamorph itself runs on the shadow before an update may commit). */
export const SYSTEM_RULES = {
  className: "class-name",
  unknownSuperclass: "unknown-superclass",
  cyclicSuperclass: "cyclic-superclass",
  duplicateField: "duplicate-field",
  fieldName: "field-name",
  conformance: "conformance",
  removedClassReference: "removed-class-reference",
  fieldShadowsMethod: "field-shadows-method",
} as const;
