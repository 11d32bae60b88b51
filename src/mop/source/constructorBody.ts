/** The statements of a class's constructor body (empty where it has none), for the readers of what it does. */
import type { AnyNode, Statement } from "acorn";

export function constructorStatements(classNode: AnyNode): readonly Statement[] {
  if (classNode.type !== "ClassExpression" && classNode.type !== "ClassDeclaration") return [];
  const ctor = classNode.body.body.find(
    (m) => m.type === "MethodDefinition" && m.kind === "constructor",
  );
  return ctor?.type === "MethodDefinition" ? ctor.value.body.body : [];
}
