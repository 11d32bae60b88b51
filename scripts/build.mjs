// Builds dist/ (run by `npm run build`, hence by `prepack`): ES modules with
// source maps, and declaration files with their doc comments.
//
// The installed package must stay within 3 MB with acorn and immer, so:
// - the JavaScript is emitted without comments (the declarations keep them,
//   for editors), in a separate pass;
// - the maps carry no sources (they name ../src/*.ts; a stack trace under
//   `node --enable-source-maps` names our TypeScript file and line) and are
//   coarsened to one segment per line: tsc's output keeps the source's
//   statements line by line, so lines stay exact and only columns are lost
//   (tsc's full maps are as large as the JavaScript itself);
// - the JavaScript and the declarations are indented by two spaces instead of
//   tsc's four (a quarter of the JavaScript was indentation); lines that
//   start inside a template literal keep theirs, since it is part of the
//   string. Lines stay where they were, so the coarsened maps stay exact;
// - only the declaration files a public entry point's types reach are kept
//   (the package's `exports` let no one import the others; about 40 % of the
//   declarations described internal modules).
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, normalize } from "node:path";
import { promisify } from "node:util";
import { tokenizer } from "acorn";

const DIST = "dist";
const TSC = createRequire(import.meta.url).resolve("typescript/bin/tsc");
const tsc = (...args) =>
  promisify(execFile)(process.execPath, [TSC, "-p", "tsconfig.build.json", ...args]).catch(
    (error) => {
      process.stdout.write(error.stdout ?? "");
      throw error;
    },
  );

rmSync(DIST, { recursive: true, force: true });
// Two passes at once, writing different files.
await Promise.all([
  tsc("--declaration", "false", "--removeComments", "--sourceMap"),
  tsc("--emitDeclarationOnly"),
]);

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const DIGIT = new Map([...BASE64].map((c, i) => [c, i]));

/** The numbers of one segment (base64 VLQ, as the source map format defines it). */
function decodeSegment(text) {
  const values = [];
  let value = 0;
  let shift = 0;
  for (const c of text) {
    const digit = DIGIT.get(c);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
      continue;
    }
    values.push(value & 1 ? -(value >>> 1) : value >>> 1);
    value = 0;
    shift = 0;
  }
  return values;
}

function encodeNumber(n) {
  let rest = n < 0 ? (-n << 1) | 1 : n << 1;
  let out = "";
  do {
    const digit = rest & 31;
    rest >>>= 5;
    out += BASE64[digit | (rest > 0 ? 32 : 0)];
  } while (rest > 0);
  return out;
}

/** Mappings with one segment per generated line: the first, moved to column 0. */
function coarsen(mappings) {
  // Source index, original line and column are relative across the whole map.
  const state = [0, 0, 0];
  const written = [0, 0, 0];
  return mappings
    .split(";")
    .map((line) => {
      let kept;
      for (const segment of line.split(",")) {
        if (segment === "") continue;
        const values = decodeSegment(segment);
        if (values.length < 4) continue;
        for (let i = 0; i < 3; i++) state[i] += values[i + 1];
        kept ??= [...state];
      }
      if (kept === undefined) return "";
      const out = [0, ...kept.map((v, i) => v - written[i])];
      for (let i = 0; i < 3; i++) written[i] = kept[i];
      return out.map(encodeNumber).join("");
    })
    .join(";");
}

for (const entry of readdirSync(DIST, { recursive: true })) {
  if (!entry.endsWith(".js.map")) continue;
  const file = join(DIST, entry);
  const map = JSON.parse(readFileSync(file, "utf8"));
  map.mappings = coarsen(map.mappings);
  writeFileSync(file, JSON.stringify(map));
}

/** Offsets inside template literal text (where a line's leading spaces are part of a string). */
function templateRanges(js) {
  const ranges = [];
  for (const token of tokenizer(js, { ecmaVersion: "latest", sourceType: "module" })) {
    if (token.type.label === "template" || token.type.label === "invalidTemplate") {
      ranges.push([token.start, token.end]);
    }
  }
  return ranges;
}

/** Halves the indentation of every line that does not start inside one of `ranges`. */
function reindent(text, ranges = []) {
  let r = 0;
  let offset = 0;
  return text
    .split("\n")
    .map((line) => {
      const start = offset;
      offset += line.length + 1;
      while (r < ranges.length && ranges[r][1] <= start) r++;
      if (r < ranges.length && ranges[r][0] <= start) return line;
      // tsc indents by fours; a remainder (a doc comment's " * ") stays.
      const spaces = line.length - line.trimStart().length;
      return line.slice(Math.floor(spaces / 4) * 2);
    })
    .join("\n");
}

for (const entry of readdirSync(DIST, { recursive: true })) {
  const file = join(DIST, entry);
  if (entry.endsWith(".js")) {
    const js = readFileSync(file, "utf8");
    writeFileSync(file, reindent(js, templateRanges(js)));
  } else if (entry.endsWith(".d.ts")) {
    writeFileSync(file, reindent(readFileSync(file, "utf8")));
  }
}

/** The declaration files named by package.json (its `types` and every `exports` condition). */
function publicDeclarations() {
  const pkg = JSON.parse(readFileSync("package.json", "utf8"));
  const found = [];
  const visit = (value) => {
    if (typeof value === "string") {
      if (value.endsWith(".d.ts")) found.push(normalize(value));
    } else if (value !== null && typeof value === "object") {
      for (const inner of Object.values(value)) visit(inner);
    }
  };
  visit(pkg.types);
  visit(pkg.exports);
  return found;
}

/** Every declaration file the public ones import, directly or not (relative specifiers only). */
function reachableDeclarations() {
  const reached = new Set();
  const pending = publicDeclarations();
  while (pending.length > 0) {
    const file = pending.pop();
    if (reached.has(file) || !existsSync(file)) continue;
    reached.add(file);
    const text = readFileSync(file, "utf8");
    for (const match of text.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g)) {
      pending.push(normalize(join(dirname(file), match[1].replace(/\.js$/, ".d.ts"))));
    }
  }
  return reached;
}

const reachable = reachableDeclarations();
for (const entry of readdirSync(DIST, { recursive: true })) {
  const file = join(DIST, entry);
  if (entry.endsWith(".d.ts") && !reachable.has(file)) rmSync(file);
}
