/**
 * Quick start: a class with live instances is updated in place.
 * Run: npx tsx examples/api/quickstart.ts
 */
import { Namespace, patch, updateSync } from "../../src/index.js";

export function main(log: (line: string) => void = console.log): void {
  const app = new Namespace("app");

  // A managed class: `Person` is a class handle; keep using it as a class.
  const Person = app.defineClass<{ first: string; last: string; greet(): string }>({
    name: "Person",
    fields: [
      { name: "first", initializer: '""' },
      { name: "last", initializer: '""' },
    ],
    methods: {
      greet(this: { first: string }) {
        return `Hi, ${this.first}`;
      },
    },
  });
  const ada = new Person({ first: "Ada", last: "Lovelace" });
  const alan = new Person({ first: "Alan", last: "Turing" });
  const friends = new Set([ada, alan]);

  // The update: rename a field, derive a new one, change behaviour.
  const v2 = patch("v2")
    .renameField("Person", "first", "given")
    .addField("Person", "fullName", { initial: (old) => `${old.first} ${old.last}` })
    .replaceMethods("Person", {
      greet(this: { fullName: string }) {
        return `Hello, ${this.fullName}!`;
      },
    })
    .build();

  log(v2.summary());
  const result = updateSync(app, v2);

  log(ada.greet()); // the same object, new shape and behaviour
  log(JSON.stringify(ada)); // {"given":"Ada","last":"Lovelace","fullName":"Ada Lovelace"}
  log(`still in the set: ${friends.has(alan)}, instanceof: ${alan instanceof Person}`);
  log(
    `migrated ${result.instancesMigrated} instances, pause ${result.pauseMs.toFixed(2)} ms, namespace version ${app.version}`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) main();
