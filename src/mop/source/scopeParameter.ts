/**
 * The name under which code `metamorph dev` evaluates in a module's scope
 * reads the module's bindings (`new V()` runs as `new __metamorph$scope.V()`,
 * src/dev/scopeEvaluate.ts). Analyses that compare a new version's text
 * with the running one's read through it: the running version, loaded by
 * Node, says `V`.
 */
export const SCOPE_PARAMETER = "__metamorph$scope";

const READ = /__metamorph\$scope\.(?=[\p{ID_Start}$_])/gu;

/** `text` with the module bindings it reads through the scope parameter named as written. */
export const withoutScopeParameter = (text: string): string => text.replace(READ, "");
