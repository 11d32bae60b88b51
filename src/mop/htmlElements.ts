/**
 * HTML elements, custom elements among them (`class XCount extends
 * HTMLElement`, given to `customElements.define`): the page's HTMLElement
 * constructor builds only for the new.target registered with the custom
 * element registry — the class handle, whose binding the program defined —
 * and throws "Illegal constructor" for any other. A handle builds such an
 * object with itself as new.target, never with the running version or the
 * stable class (mop/stableClass.ts): the page's own upgrade of a parsed
 * `<x-count>`, and every `new XCount()`, failed that way under the Vite
 * plugin (review advX1).
 */
export function isHtmlElement(prototype: object | null): boolean {
  const element = (globalThis as { HTMLElement?: unknown }).HTMLElement;
  return (
    typeof element === "function" &&
    prototype !== null &&
    Object.prototype.isPrototypeOf.call(element.prototype, prototype)
  );
}
