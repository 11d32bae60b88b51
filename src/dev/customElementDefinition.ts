/**
 * An edit of a custom element's class that the page's custom element
 * registry cannot take: what `customElements.define` read once off the
 * constructor (mop/customElementCallbacks.ts). An attribute added to
 * `observedAttributes` was never reported to attributeChangedCallback, a
 * changed `formAssociated` or `disabledFeatures` changed nothing, and the
 * update line said `~static get observedAttributes` (review advZ16 1). The
 * lifecycle callbacks themselves follow every edit.
 */
import { type FixedChange, fixedAtDefinition } from "../mop/customElementCallbacks.js";

/** A class defined as a custom element whose edit changes what define read once. */
export class CustomElementDefinitionChange extends TypeError {
  readonly code = "MM_DEV_CUSTOM_ELEMENT_DEFINITION";
  constructor(
    readonly className: string,
    readonly tag: string,
    readonly changes: readonly FixedChange[],
  ) {
    const what = changes.map((c) => `${c.member} (${c.change})`).join(", ");
    super(
      `class ${className} is the custom element <${tag}>, and the edit changes its ${what}, which customElements.define read once, when the page defined <${tag}>: an element name cannot be defined again, so only a page reload applies it`,
    );
  }
}

/**
 * Refuses the edit giving the class handle `handle` (the class `name`) the
 * implementation `next` when it changes what define read once; the other
 * edits of a custom element apply in place.
 */
export function refuseDefinitionChange(name: string, handle: Function, next: Function): void {
  const fixed = fixedAtDefinition(handle, next);
  if (fixed !== undefined) throw new CustomElementDefinitionChange(name, fixed.tag, fixed.changes);
}
