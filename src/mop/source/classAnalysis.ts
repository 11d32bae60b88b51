/**
 * Analysing one class: its members in source order, fields in the order a
 * constructor creates them (see parse.ts), methods, statics, private members,
 * and notes on what could not be learned.
 */
import type {
  AnyNode,
  Class,
  MethodDefinition as MethodNode,
  PropertyDefinition,
  StaticBlock,
} from "acorn";
import type { FieldDefinition, MethodDefinition, MethodKind } from "../classDefinition.js";
import { memberKeyName } from "../classDefinition.js";
import { analyseBody, Notes } from "./bodyFields.js";
import type { ParsedClass, ParsedMember } from "./parsedClass.js";
import { forEachChild } from "./parser.js";
import { declaredNames, readsModuleScope } from "./scope.js";
import type { Source } from "./syntax.js";
import { calleeName, keyDisplay, readKey, textOf } from "./syntax.js";
import { helperKind } from "./helperNames.js";
import { callsKeyedByThis, minifiedPrivateState } from "./keyedByThis.js";
import { scanWrites } from "./thisWrites.js";
import { parameterDefaults } from "./parameterDefaults.js";

/** What the analysis of one class accumulates while it walks the members. */
interface ClassState {
  readonly src: Source;
  readonly notes: Notes;
  readonly privateMembers: string[];
  /** Lowered private state: state reflection cannot see. */
  hiddenState: boolean;
  /** Calls that keep state for the object in a map outside it (`anyMap.get(this)`). */
  readonly stateOutside: string[];
  readonly members: ParsedMember[];
  readonly methods: MethodDefinition[];
  /** Position in `methods` by static-ness, kind and key. */
  readonly methodIndex: Map<string, number>;
  readonly instanceFields: Map<string, string | undefined>;
  /** Instance fields the constructor only assigns (see ParsedClass.assignedFields). */
  readonly assignedFields: Set<string>;
  /** Instance fields whose initialiser reads the module's scope (see ParsedClass.moduleBoundFields). */
  readonly moduleBoundFields: Set<string>;
  /** Instance fields the constructor defines non-configurable (see ParsedClass.fixedFields). */
  readonly fixedFields: Set<string>;
  /** Instance fields declared without an initialiser, so far (see ParsedClass.bareFields). */
  readonly bareFields: Set<string>;
  /** See ParsedClass.functionFields. */
  readonly functionFields: Map<string, string>;
  readonly staticFields: Map<string, string | undefined>;
}

function span(state: ClassState, node: { start: number; end: number }) {
  return { start: node.start - state.src.shift, end: node.end - state.src.shift };
}

function addPrivate(state: ClassState, privateName: string): void {
  if (!state.privateMembers.includes(privateName)) state.privateMembers.push(privateName);
}

function onLoweredPrivate(state: ClassState, text: string): void {
  state.hiddenState = true;
  state.notes.add(`private state lowered by a transpiler (\`${text}\`) is invisible to reflection`);
}

/**
 * Analyses `node`, named `name`; `extent` is the class's span in the text
 * (an exported declaration's includes `export`).
 */
export function analyseClass(
  src: Source,
  node: Class,
  name: string,
  extent: { start: number; end: number } = node,
): ParsedClass {
  const state: ClassState = {
    src,
    notes: new Notes(),
    privateMembers: [],
    hiddenState: false,
    stateOutside: [],
    members: [],
    methods: [],
    methodIndex: new Map(),
    instanceFields: new Map(),
    assignedFields: new Set(),
    moduleBoundFields: new Set(),
    fixedFields: new Set(),
    bareFields: new Set(),
    functionFields: new Map(),
    staticFields: new Map(),
  };
  // 1. Members in source order: field declarations, methods, static blocks.
  for (const member of node.body.body) analyseMember(state, member);
  // 2. Constructor writes, after every declared field.
  const constructorNode = node.body.body.find(
    (member): member is MethodNode =>
      member.type === "MethodDefinition" && member.kind === "constructor",
  );
  if (constructorNode !== undefined) {
    const { params, body } = constructorNode.value;
    const scope = declaredNames(params, body);
    scope.add("arguments");
    analyseBody(
      {
        src,
        where: "the constructor",
        what: "field",
        fields: state.instanceFields,
        assigned: state.assignedFields,
        moduleBound: state.moduleBoundFields,
        fixed: state.fixedFields,
        functions: state.functionFields,
        methods: new Set(
          state.methods.flatMap((m) => (!m.static && typeof m.key === "string" ? [m.key] : [])),
        ),
        scope,
        defaults: parameterDefaults(params, body, scope),
        notes: state.notes,
        onPrivate: (text) => onLoweredPrivate(state, text),
      },
      body.body,
    );
  }
  if (constructorNode !== undefined) keepBareUnwritten(state, constructorNode);
  reportWritesElsewhere(state, node);
  reportPrivateUses(state, node);
  return finish(state, node, name, constructorNode, extent);
}

function analyseMember(state: ClassState, member: MethodNode | PropertyDefinition | StaticBlock) {
  if (member.type === "PropertyDefinition") {
    analyseProperty(state, member);
  } else if (member.type === "MethodDefinition") {
    if (member.kind === "constructor") {
      state.members.push({
        kind: "constructor",
        name: "constructor",
        key: null,
        static: false,
        private: false,
        ...span(state, member),
      });
    } else {
      analyseMethod(state, member, member.kind);
    }
  } else {
    analyseStaticBlock(state, member);
  }
}

function analyseStaticBlock(state: ClassState, member: StaticBlock): void {
  state.members.push({
    kind: "static-block",
    name: "static {}",
    key: null,
    static: true,
    private: false,
    ...span(state, member),
  });
  analyseBody(
    {
      src: state.src,
      where: "a static block",
      what: "static field",
      fields: state.staticFields,
      scope: declaredNames([], member),
      notes: state.notes,
      onPrivate: (text) => onLoweredPrivate(state, text),
    },
    member.body,
  );
}

function analyseProperty(state: ClassState, member: PropertyDefinition): void {
  const isStatic = member.static;
  const key = readKey(state.src, member.key, member.computed);
  state.members.push({
    kind: "field",
    name: keyDisplay(key),
    key: key.type === "key" ? key.key : null,
    static: isStatic,
    private: key.type === "private",
    ...span(state, member),
  });
  const label = isStatic ? "static field" : "field";
  if (key.type === "private") {
    addPrivate(state, key.name);
  } else if (key.type === "unsupported") {
    state.notes.add(`${label} with computed key \`${key.text}\`; not learned`);
  } else if (typeof key.key !== "string") {
    state.notes.add(`symbol-keyed ${label} \`${memberKeyName(key.key)}\`; not learned`);
  } else {
    (isStatic ? state.staticFields : state.instanceFields).set(
      key.key,
      member.value ? textOf(state.src, member.value) : undefined,
    );
    if (!isStatic && member.value && readsModuleScope(member.value))
      state.moduleBoundFields.add(key.key);
    if (!isStatic) {
      if (member.value) state.bareFields.delete(key.key);
      else state.bareFields.add(key.key);
    }
  }
}

/**
 * A bare declaration the constructor writes to (`note;` then `this.note =
 * note`, as TypeScript emits a parameter property) gets its value there:
 * not bare. Any write counts, conditional or nested in an arrow function,
 * and a write the reader cannot name (`Object.assign(this, props)`) may be
 * to any field.
 */
function keepBareUnwritten(state: ClassState, constructorNode: MethodNode): void {
  if (state.bareFields.size === 0) return;
  scanWrites(state.src, constructorNode.value.body, (write) => {
    if (write.type === "field") state.bareFields.delete(write.name);
    else if (write.type === "opaque") state.bareFields.clear();
  });
}

function analyseMethod(state: ClassState, member: MethodNode, kind: MethodKind): void {
  const isStatic = member.static;
  const key = readKey(state.src, member.key, member.computed);
  state.members.push({
    kind,
    name: keyDisplay(key),
    key: key.type === "key" ? key.key : null,
    static: isStatic,
    private: key.type === "private",
    ...span(state, member),
  });
  if (key.type === "private") {
    addPrivate(state, key.name);
    return;
  }
  if (key.type === "unsupported") {
    state.notes.add(
      `${isStatic ? "static " : ""}${kind === "method" ? "method" : `${kind}ter`} with computed key \`${key.text}\`; not learned`,
    );
    return;
  }
  addMethod(state, { key: key.key, kind, static: isStatic, source: textOf(state.src, member) });
}

function addMethod(state: ClassState, definition: MethodDefinition): void {
  const { key, kind } = definition;
  const isStatic = definition.static;
  const identity = `${isStatic}:${kind}:${typeof key === "string" ? `s:${key}` : `y:${key.symbol}`}`;
  const previous = state.methodIndex.get(identity);
  if (previous === undefined) {
    state.methodIndex.set(identity, state.methods.length);
    state.methods.push(definition);
  } else {
    // The engine keeps the first position and the last definition.
    state.methods[previous] = definition;
    state.notes.add(
      `${isStatic ? "static " : ""}${kind} \`${memberKeyName(key)}\` is defined more than once; the last definition is kept`,
    );
  }
}

/**
 * Writes elsewhere (methods, arrow-function field initialisers) create fields
 * only when that code runs, so they are reported, not learned.
 */
function reportWritesElsewhere(state: ClassState, node: Class): void {
  const { src } = state;
  // `this.hp = v` where the class has `set hp`: the setter runs, no field is made.
  const setters = new Set(
    node.body.body.flatMap((m) =>
      m.type === "MethodDefinition" && m.kind === "set" && !m.static && !m.computed
        ? [keyText(state, m)]
        : [],
    ),
  );
  for (const member of node.body.body) {
    if (member.type === "StaticBlock" || member.static) continue;
    let body: AnyNode | undefined;
    let label = "";
    if (member.type === "MethodDefinition" && member.kind !== "constructor") {
      body = member.value.body;
      label = `method \`${keyText(state, member)}\``;
    } else if (member.type === "PropertyDefinition" && member.value) {
      body = member.value;
      label = `the initialiser of field \`${keyText(state, member)}\``;
    }
    if (body === undefined) continue;
    forEachChild(body, (child) =>
      scanWrites(src, child, (write) => {
        // A minified helper's call outside the constructor is more likely a listener's.
        if (
          write.type === "field" &&
          !write.minified &&
          !state.instanceFields.has(write.name) &&
          !setters.has(write.name)
        ) {
          state.notes.add(
            `field \`${write.name}\` is assigned in ${label}, not by the constructor; not learned`,
          );
        }
      }),
    );
  }
}

/** A member's key as written, brackets included. */
function keyText(state: ClassState, member: MethodNode | PropertyDefinition): string {
  const text = textOf(state.src, member.key);
  if (member.key.type === "PrivateIdentifier") return text;
  return member.computed ? `[${text}]` : text;
}

/**
 * Private names used but declared by an enclosing class, and transpiled
 * private-member helpers anywhere in the body, by name or (minified) by shape.
 */
function reportPrivateUses(state: ClassState, node: Class): void {
  const usedPrivate = new Set<string>();
  const walk = (current: AnyNode): void => {
    if (current.type === "PrivateIdentifier") usedPrivate.add(`#${current.name}`);
    if (current.type === "CallExpression") {
      const kind = helperKind(calleeName(current.callee));
      if (kind === "privateInit" || kind === "privateUse") {
        onLoweredPrivate(state, textOf(state.src, current));
      }
    }
    forEachChild(current, walk);
  };
  for (const member of node.body.body) {
    walk(member);
    for (const call of callsKeyedByThis(member)) onStateOutside(state, textOf(state.src, call));
  }
  const minified = minifiedPrivateState(node);
  if (minified !== undefined) onLoweredPrivate(state, textOf(state.src, minified));
  for (const used of usedPrivate) {
    if (!state.privateMembers.includes(used)) {
      state.notes.add(`uses private name \`${used}\` declared by an enclosing class`);
    }
  }
}

function onStateOutside(state: ClassState, text: string): void {
  const at = text.indexOf("(");
  const shown = at < 0 ? text : `${text.slice(0, at)}(this…)`;
  if (state.stateOutside.includes(shown)) return;
  state.stateOutside.push(shown);
  state.notes.add(
    `keeps state for its objects outside them (\`${shown}\`), which reflection cannot see`,
  );
}

function toFields(map: Map<string, string | undefined>): readonly FieldDefinition[] {
  return Object.freeze(
    [...map].map(([fieldName, initializer]) =>
      Object.freeze(
        initializer === undefined ? { name: fieldName } : { name: fieldName, initializer },
      ),
    ),
  );
}

function finish(
  state: ClassState,
  node: Class,
  name: string,
  constructorNode: MethodNode | undefined,
  extent: { start: number; end: number },
): ParsedClass {
  const { src } = state;
  return Object.freeze({
    name,
    superclass: node.superClass ? textOf(src, node.superClass) : null,
    fields: toFields(state.instanceFields),
    staticFields: toFields(state.staticFields),
    methods: Object.freeze(state.methods.map((method) => Object.freeze(method))),
    constructorSource: constructorNode === undefined ? null : textOf(src, constructorNode),
    hasPrivateMembers: state.privateMembers.length > 0 || state.hiddenState,
    privateMembers: Object.freeze(state.privateMembers),
    stateOutside: Object.freeze(state.stateOutside),
    assignedFields: Object.freeze([...state.assignedFields]),
    moduleBoundFields: Object.freeze([...state.moduleBoundFields]),
    fixedFields: Object.freeze([...state.fixedFields]),
    bareFields: Object.freeze([...state.bareFields]),
    functionFields: Object.freeze([...state.functionFields]),
    unsupported: Object.freeze(state.notes.list),
    members: Object.freeze(state.members.map((member) => Object.freeze(member))),
    ...span(state, extent),
  });
}
