/**
 * Analysing one class: its members in source order, fields in the order a
 * constructor creates them (see parse.ts), methods, statics, private members,
 * and notes on what could not be learned.
 */
import type ts from "typescript";
import type { FieldDefinition, MethodDefinition, MethodKind } from "../classDefinition.js";
import { memberKeyName } from "../classDefinition.js";
import { analyseBody, Notes } from "./bodyFields.js";
import type { ParsedClass, ParsedMember } from "./parsedClass.js";
import { declaredNames } from "./scope.js";
import type { Source } from "./syntax.js";
import { calleeName, hasDecorators, hasModifier, keyDisplay, readKey } from "./syntax.js";
import { PRIVATE_HELPER, PRIVATE_USE_HELPER, scanWrites } from "./thisWrites.js";

/** What the analysis of one class accumulates while it walks the members. */
interface ClassState {
  readonly src: Source;
  readonly notes: Notes;
  readonly privateMembers: string[];
  /** Lowered private state or auto-accessors: state reflection cannot see. */
  hiddenState: boolean;
  readonly members: ParsedMember[];
  readonly methods: MethodDefinition[];
  /** Position in `methods` by static-ness, kind and key. */
  readonly methodIndex: Map<string, number>;
  readonly instanceFields: Map<string, string | undefined>;
  readonly staticFields: Map<string, string | undefined>;
}

function span(state: ClassState, node: ts.Node): { start: number; end: number } {
  const { file, shift } = state.src;
  return { start: node.getStart(file) - shift, end: node.getEnd() - shift };
}

function addPrivate(state: ClassState, privateName: string): void {
  if (!state.privateMembers.includes(privateName)) state.privateMembers.push(privateName);
}

function onLoweredPrivate(state: ClassState, text: string): void {
  state.hiddenState = true;
  state.notes.add(`private state lowered by a transpiler (\`${text}\`) is invisible to reflection`);
}

export function analyseClass(
  src: Source,
  node: ts.ClassLikeDeclaration,
  name: string,
): ParsedClass {
  const { t } = src;
  const state: ClassState = {
    src,
    notes: new Notes(),
    privateMembers: [],
    hiddenState: false,
    members: [],
    methods: [],
    methodIndex: new Map(),
    instanceFields: new Map(),
    staticFields: new Map(),
  };
  if (hasDecorators(t, node))
    state.notes.add(
      "class decorators are not evaluated; they may replace the class or its members",
    );
  const constructorNode = node.members.find(
    (member): member is ts.ConstructorDeclaration =>
      t.isConstructorDeclaration(member) && member.body !== undefined,
  );
  // 1. Parameter properties, emitted before all other fields.
  if (constructorNode !== undefined) {
    for (const parameter of constructorNode.parameters) {
      if (
        t.isParameterPropertyDeclaration(parameter, constructorNode) &&
        t.isIdentifier(parameter.name)
      ) {
        state.instanceFields.set(parameter.name.text, undefined);
      }
    }
  }
  // 2. Members in source order: field declarations, methods, static blocks.
  for (const member of node.members) analyseMember(state, member);
  // 3. Constructor writes.
  if (constructorNode?.body !== undefined) {
    const scope = declaredNames(t, constructorNode.parameters, constructorNode.body);
    scope.add("arguments");
    analyseBody(
      {
        src,
        where: "the constructor",
        what: "field",
        fields: state.instanceFields,
        scope,
        notes: state.notes,
        onPrivate: (text) => onLoweredPrivate(state, text),
      },
      constructorNode.body.statements,
    );
  }
  reportWritesElsewhere(state, node);
  reportPrivateUses(state, node);
  return finish(state, node, name, constructorNode);
}

function analyseMember(state: ClassState, member: ts.ClassElement): void {
  const { t } = state.src;
  if (hasDecorators(t, member)) {
    state.notes.add(
      "member decorators are not evaluated; they may replace members or add initialisers",
    );
  }
  if (t.isPropertyDeclaration(member)) {
    analyseProperty(state, member);
  } else if (t.isMethodDeclaration(member) || t.isGetAccessor(member) || t.isSetAccessor(member)) {
    analyseMethod(state, member);
  } else if (t.isConstructorDeclaration(member)) {
    if (member.body === undefined) return;
    state.members.push({
      kind: "constructor",
      name: "constructor",
      key: null,
      static: false,
      private: false,
      ...span(state, member),
    });
    for (const parameter of member.parameters) {
      if (t.isParameterPropertyDeclaration(parameter, member) && t.isIdentifier(parameter.name)) {
        state.members.push({
          kind: "field",
          name: parameter.name.text,
          key: parameter.name.text,
          static: false,
          private: false,
          ...span(state, parameter),
        });
      }
    }
  } else if (t.isClassStaticBlockDeclaration(member)) {
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
        scope: declaredNames(t, [], member.body),
        notes: state.notes,
        onPrivate: (text) => onLoweredPrivate(state, text),
      },
      member.body.statements,
    );
  }
}

function analyseProperty(state: ClassState, member: ts.PropertyDeclaration): void {
  const { t, file } = state.src;
  if (
    hasModifier(t, member, t.SyntaxKind.DeclareKeyword) ||
    hasModifier(t, member, t.SyntaxKind.AbstractKeyword)
  ) {
    return;
  }
  const isStatic = hasModifier(t, member, t.SyntaxKind.StaticKeyword);
  const key = readKey(state.src, member.name);
  const isAccessor = hasModifier(t, member, t.SyntaxKind.AccessorKeyword);
  state.members.push({
    kind: isAccessor ? "accessor" : "field",
    name: keyDisplay(key),
    key: key.type === "key" ? key.key : null,
    static: isStatic,
    private: key.type === "private",
    ...span(state, member),
  });
  const label = isStatic ? "static field" : "field";
  if (key.type === "private") {
    addPrivate(state, key.name);
  } else if (isAccessor) {
    state.hiddenState = true;
    state.notes.add(
      `auto-accessor ${label} \`${keyDisplay(key)}\` keeps its value in hidden private storage; not learned`,
    );
  } else if (key.type === "unsupported") {
    state.notes.add(`${label} with computed key \`${key.text}\`; not learned`);
  } else if (typeof key.key !== "string") {
    state.notes.add(`symbol-keyed ${label} \`${memberKeyName(key.key)}\`; not learned`);
  } else {
    (isStatic ? state.staticFields : state.instanceFields).set(
      key.key,
      member.initializer === undefined ? undefined : member.initializer.getText(file),
    );
  }
}

function analyseMethod(
  state: ClassState,
  member: ts.MethodDeclaration | ts.AccessorDeclaration,
): void {
  const { t, file } = state.src;
  if (member.body === undefined) return; // an overload signature or abstract member
  const isStatic = hasModifier(t, member, t.SyntaxKind.StaticKeyword);
  const kind: MethodKind = t.isGetAccessor(member)
    ? "get"
    : t.isSetAccessor(member)
      ? "set"
      : "method";
  const key = readKey(state.src, member.name);
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
  addMethod(state, { key: key.key, kind, static: isStatic, source: member.getText(file) });
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
function reportWritesElsewhere(state: ClassState, node: ts.ClassLikeDeclaration): void {
  const { t, file } = state.src;
  for (const member of node.members) {
    if (hasModifier(t, member, t.SyntaxKind.StaticKeyword)) continue;
    let body: ts.Node | undefined;
    let label = "";
    if ((t.isMethodDeclaration(member) || t.isAccessor(member)) && member.body !== undefined) {
      body = member.body;
      label = `method \`${member.name.getText(file)}\``;
    } else if (t.isPropertyDeclaration(member) && member.initializer !== undefined) {
      body = member.initializer;
      label = `the initialiser of field \`${member.name.getText(file)}\``;
    }
    if (body === undefined) continue;
    t.forEachChild(body, (child) =>
      scanWrites(state.src, child, (write) => {
        if (write.type === "field" && !state.instanceFields.has(write.name)) {
          state.notes.add(
            `field \`${write.name}\` is assigned in ${label}, not by the constructor; not learned`,
          );
        }
      }),
    );
  }
}

/**
 * Private names used but declared by an enclosing class, and transpiled
 * private-member helpers anywhere in the body.
 */
function reportPrivateUses(state: ClassState, node: ts.ClassLikeDeclaration): void {
  const { t, file } = state.src;
  const usedPrivate = new Set<string>();
  const walk = (current: ts.Node): void => {
    if (t.isPrivateIdentifier(current)) usedPrivate.add(current.text);
    if (t.isCallExpression(current)) {
      const callee = calleeName(t, current.expression);
      if (
        callee !== undefined &&
        (PRIVATE_HELPER.test(callee) || PRIVATE_USE_HELPER.test(callee))
      ) {
        onLoweredPrivate(state, current.getText(file));
      }
    }
    t.forEachChild(current, walk);
  };
  for (const member of node.members) walk(member);
  for (const used of usedPrivate) {
    if (!state.privateMembers.includes(used)) {
      state.notes.add(`uses private name \`${used}\` declared by an enclosing class`);
    }
  }
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
  node: ts.ClassLikeDeclaration,
  name: string,
  constructorNode: ts.ConstructorDeclaration | undefined,
): ParsedClass {
  const { t, file } = state.src;
  const heritage = node.heritageClauses?.find(
    (clause) => clause.token === t.SyntaxKind.ExtendsKeyword,
  );
  const superType = heritage?.types[0];
  return Object.freeze({
    name,
    superclass: superType === undefined ? null : superType.expression.getText(file),
    fields: toFields(state.instanceFields),
    staticFields: toFields(state.staticFields),
    methods: Object.freeze(state.methods.map((method) => Object.freeze(method))),
    constructorSource: constructorNode === undefined ? null : constructorNode.getText(file),
    hasPrivateMembers: state.privateMembers.length > 0 || state.hiddenState,
    privateMembers: Object.freeze(state.privateMembers),
    unsupported: Object.freeze(state.notes.list),
    members: Object.freeze(state.members.map((member) => Object.freeze(member))),
    ...span(state, node),
  });
}
