/**
 * One concern per file, readable functions: lists every file under src/ over
 * 400 lines and every function over 80 lines, unless a comment beginning with
 * "size:" stands at the top of the file (for the file) or right above the
 * function (for the function) and says why. Exits 1 when anything is listed.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";

const MAX_FILE = 400;
const MAX_FUNCTION = 80;
const root = join(import.meta.dirname, "..");

function* sources(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sources(path);
    else if (/\.(ts|mts|mjs)$/.test(entry.name) && !entry.name.endsWith(".d.ts")) yield path;
  }
}

const excused = (text, pos) =>
  (ts.getLeadingCommentRanges(text, pos) ?? []).some((c) =>
    /^\/[/*]+\s*size:/m.test(text.slice(c.pos, c.end).replace(/^\s*\*\s*/gm, "")),
  );

const problems = [];
for (const file of sources(join(root, "src"))) {
  const text = readFileSync(file, "utf8");
  const rel = relative(root, file);
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const lines = source.getLineAndCharacterOfPosition(text.length).line + 1;
  if (lines > MAX_FILE && !excused(text, 0) && !/^\s*\/[/*][\s\S]*?size:/.test(text.slice(0, 600)))
    problems.push(`${rel}: ${lines} lines (over ${MAX_FILE})`);
  const visit = (node) => {
    if (ts.isFunctionLike(node) && "body" in node && node.body) {
      const start = source.getLineAndCharacterOfPosition(node.getStart()).line;
      const end = source.getLineAndCharacterOfPosition(node.end).line;
      const length = end - start + 1;
      let anchor = node;
      while (
        anchor.parent &&
        !ts.isSourceFile(anchor.parent) &&
        !ts.isClassLike(anchor.parent) &&
        !ts.isBlock(anchor.parent) &&
        !ts.isObjectLiteralExpression(anchor.parent)
      )
        anchor = anchor.parent;
      if (
        length > MAX_FUNCTION &&
        !excused(text, anchor.getFullStart()) &&
        !excused(text, node.getFullStart())
      ) {
        const name = node.name?.getText(source) ?? "(anonymous)";
        problems.push(
          `${rel}:${start + 1}: function ${name} has ${length} lines (over ${MAX_FUNCTION})`,
        );
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
}
for (const p of problems) console.log(p);
if (problems.length > 0) {
  console.log(
    `${problems.length} size problem(s); split them, or say why beside them in a "size:" comment`,
  );
  process.exit(1);
}
