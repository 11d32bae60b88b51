/**
 * `metamorph dev` on a small program written by the test (in the system's
 * temporary directory) that answers expressions read from its standard input:
 * the less common shapes of an edit — new classes, functions and imports
 * (including a module loaded for the first time), `export default class`, a
 * class extending one metamorph cannot manage, private `#` members, changed
 * module-level variables and statements. Run with `--no-restart`: these are
 * the edits that keep the running version (the restarts are in
 * test/cli/restart.test.ts).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  CLI,
  editFile,
  type Running,
  run,
  writeAtomically,
  stopAndRemoveAfter,
} from "./support.js";

let dir: string;
let program: Running;

const files: Record<string, string> = {
  "package.json": '{ "type": "module" }\n',
  "main.ts": `import { createInterface } from "node:readline";
import * as shapes from "./shapes.js";
import Widget from "./widget.js";
import { Chatty } from "./chatty.js";
import { Hub } from "./hub.js";
import { Secret } from "./secret.js";

const objects = { square: new shapes.Square(2), widget: new Widget(), chatty: new Chatty(), secret: new Secret(), hub: new Hub() };
Object.assign(globalThis, { objects, shapes });
createInterface({ input: process.stdin }).on("line", (line) => {
  try {
    console.log("=> " + JSON.stringify((0, eval)(line)));
  } catch (error) {
    console.log("=> threw " + String(error));
  }
});
console.log("ready");
`,
  "shapes.ts": `const UNIT = "cm";

export class Shape {
  area(): number {
    return 0;
  }
}

export class Square extends Shape {
  constructor(public side: number) {
    super();
  }
  override area(): number {
    return this.side ** 2;
  }
}
`,
  "widget.ts": `export default class Widget {
  clicks = 0;
  name(): string {
    return "widget";
  }
}
`,
  "hub.ts": `import { EventEmitter } from "node:events";

export class Hub extends EventEmitter {
  pings = 0;
  ping(): string {
    this.pings++;
    this.emit("ping", this.pings);
    return "v1:" + this.pings;
  }
}
`,
  "chatty.ts": `import { Socket } from "node:net";

export class Chatty extends Socket {
  greet(): string {
    return "hello";
  }
}
`,
  "secret.ts": `export class Secret {
  #hidden = 1;
  reveal(): number {
    return this.#hidden;
  }
}
`,
};

/** Sends an expression and returns the program's answer. */
async function ask(expression: string): Promise<unknown> {
  const from = program.stdout.all.length;
  program.send(expression);
  const line = await program.stdout.waitFor(/^=> /, { from, what: `the answer to ${expression}` });
  const answer = line.slice(3);
  return answer.startsWith("threw ") ? answer : JSON.parse(answer);
}

async function save(file: string, change: (text: string) => string, expected: RegExp) {
  const from = program.stderr.all.length;
  editFile(join(dir, file), change);
  return program.stderr.waitFor(expected, {
    from,
    what: `the reaction to saving ${file}: ${expected}`,
  });
}

describe("metamorph dev: other kinds of edits", () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "metamorph-cases-"));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    program = run([...CLI, "dev", "--no-restart", "main.ts"], dir, {}, { stdin: true });
    await program.stdout.waitFor(/^ready$/, { timeoutMs: 20_000, what: "the program to start" });
  }, 30_000);

  stopAndRemoveAfter(afterAll, () => ({ program, dir }));

  test("new declarations, new imports, default exports, unmanaged and private classes", async () => {
    expect(await ask("objects.square.area()")).toBe(4);
    await program.stderr.waitFor(/chatty\.ts: warning: class Chatty is not managed/, {
      what: "the warning about a class extending net.Socket",
    });

    // A new class and a new function, used by a changed method.
    const beforeNew = program.stderr.all.length;
    await save(
      "shapes.ts",
      (t) =>
        `${t}
export class Circle extends Shape {
  constructor(public radius: number) {
    super();
  }
  override area(): number {
    return 3 * this.radius ** 2;
  }
}

function label(shape: Shape): string {
  return \`\${shape.constructor.name} of area \${shape.area()} \${UNIT}²\`;
}
`.replace(
          "    return this.side ** 2;\n  }",
          "    return this.side ** 2;\n  }\n  describe(): string {\n    return label(this) + ' next to ' + label(new Circle(1));\n  }",
        ),
      /shapes\.ts: updated Square \(\+describe\(\)\); Circle \(new class\)/,
    );
    expect(await ask("objects.square.describe()")).toBe(
      "Square of area 4 cm² next to Circle of area 3 cm²",
    );
    // tsx's keepNames puts `__name(label, "label");` after the new function:
    // not a changed top-level statement (it restarted the program).
    expect(program.stderr.all.slice(beforeNew).join("\n")).not.toMatch(/top-level statement/);

    // A new import of a module the program never loaded.
    writeAtomically(
      join(dir, "format.ts"),
      "export function loud(text: string): string {\n  return text.toUpperCase() + '!';\n}\n",
    );
    await save(
      "shapes.ts",
      (t) =>
        `import { loud } from "./format.js";\n${t}`.replace(
          "return label(this) + ' next to ' + label(new Circle(1));",
          "return loud(label(this));",
        ),
      /shapes\.ts: updated Square \(~describe\(\)\)/,
    );
    expect(await ask("objects.square.describe()")).toBe("SQUARE OF AREA 4 CM²!");
    // The new module is managed too: its functions reload.
    await save(
      "format.ts",
      (t) => t.replace("+ '!'", "+ '!!!'"),
      /format\.ts: updated function loud/,
    );
    expect(await ask("objects.square.describe()")).toBe("SQUARE OF AREA 4 CM²!!!");

    // A changed module-level constant keeps its running value (with a note); a new statement does not run.
    await save(
      "shapes.ts",
      (t) =>
        `${t.replace('const UNIT = "cm";', 'const UNIT = "mm";')}\nconsole.log("loaded again");\n`,
      /shapes\.ts: note: line \d+: module-level const UNIT keeps its running value/,
    );
    await program.stderr.waitFor(
      /shapes\.ts: note: line \d+: changed top-level statement not re-run/,
    );
    expect(await ask("objects.square.describe()")).toBe("SQUARE OF AREA 4 CM²!!!");
    expect(program.stdout.all).not.toContain("loaded again");

    // export default class
    await save(
      "widget.ts",
      (t) => t.replace('return "widget";', 'return "gadget";'),
      /widget\.ts: updated Widget \(~name\(\)\)/,
    );
    expect(await ask("objects.widget.name()")).toBe("gadget");

    // A class extending Node's EventEmitter (the platform's, as Map is) is
    // managed: an edit is a live update — it restarted the program, saying
    // the class "now extends" what it always had.
    expect(await ask("objects.hub.ping()")).toBe("v1:1");
    expect(await ask("objects.hub.on('ping', () => {}) && objects.hub.listenerCount('ping')")).toBe(
      1,
    );
    await save(
      "hub.ts",
      (t) => t.replace('return "v1:" + this.pings;', 'return "v2:" + this.pings;'),
      /hub\.ts: updated Hub/,
    );
    expect(await ask("objects.hub.ping()")).toBe("v2:2");
    expect(await ask("objects.hub.listenerCount('ping')")).toBe(1);

    // A class extending a class metamorph does not manage: methods replaced, with a warning.
    await save(
      "chatty.ts",
      (t) => t.replace('return "hello";', 'return "hello again";'),
      /chatty\.ts: warning: class Chatty is not managed .*its methods were replaced/,
    );
    expect(await ask("objects.chatty.greet()")).toBe("hello again");

    // Private # members: refused with a clear error; the running version is kept.
    const refused = await save(
      "secret.ts",
      (t) => t.replace("return this.#hidden;", "return this.#hidden * 10;"),
      /error/,
    );
    expect(refused).toMatch(
      /secret\.ts:1: error: MM_DEV_PRIVATE_MEMBERS class Secret declares private # members/,
    );
    expect(await ask("objects.secret.reveal()")).toBe(1);
    expect(
      await ask(
        "objects.square instanceof shapes.Square && objects.square instanceof shapes.Shape",
      ),
    ).toBe(true);
  });
});
