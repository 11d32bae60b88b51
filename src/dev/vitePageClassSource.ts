/**
 * The parsed source of a class as the dev server hands it to the page
 * (./viteInstrument.ts) and as the page reads it back (the class-source
 * stand-in of ./vitePageStandIns.ts). The page reads a class's fields,
 * methods, statics and private state, never the spans of its members, so the
 * handed form leaves out the spans, the members that are not private, and
 * every empty or default entry: about half the bytes per class.
 */
import type { ParsedClass } from "../mop/source/parsedClass.js";

/** What the page gets for one class. */
export type HandedClassSource = Partial<ParsedClass>;

const EMPTY: ParsedClass = {
  name: "",
  superclass: null,
  fields: [],
  staticFields: [],
  methods: [],
  constructorSource: null,
  hasPrivateMembers: false,
  privateMembers: [],
  stateOutside: [],
  assignedFields: [],
  moduleBoundFields: [],
  fixedFields: [],
  bareFields: [],
  functionFields: [],
  unsupported: [],
  members: [],
  start: 0,
  end: 0,
};

/** The form handed to the page (on the dev server). */
export function handedClassSource(parsed: ParsedClass): HandedClassSource {
  const { start: _start, end: _end, members, ...rest } = parsed;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries({
    ...rest,
    members: members.filter((m) => m.private),
  })) {
    const empty =
      value === null ||
      value === false ||
      value === "" ||
      (Array.isArray(value) && value.length === 0);
    if (!empty) out[key] = value;
  }
  return out as HandedClassSource;
}

/**
 * The parsed class the page reads (in the page): the handed form with its
 * defaults, the class's span being the whole of `text` (its
 * `Function.prototype.toString`); an anonymous class takes the name the
 * engine gave it.
 */
export function pageClassSource(
  handed: HandedClassSource,
  text: string,
  name: string,
): ParsedClass {
  const parsed = { ...EMPTY, end: text.length, ...handed };
  return parsed.name === "" && name !== "" ? { ...parsed, name } : parsed;
}
