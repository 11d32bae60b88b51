/**
 * A small stateful program for `metamorph dev`: two counters and a todo list
 * behind an HTTP endpoint on 127.0.0.1. Run it with
 *
 *     npm run dev            (here: node --import tsx ../../src/cli/bin.ts dev server.ts)
 *
 * then click and add todos, edit counter.ts or todo.ts and save: the objects
 * keep their state and their identity, and answer with the new code.
 *
 *     curl -X POST 127.0.0.1:$PORT/counters/a/click
 *     curl -X POST 127.0.0.1:$PORT/todos -d 'buy milk'
 *     curl 127.0.0.1:$PORT/state
 *     curl 127.0.0.1:$PORT/call/a/describe      (calls a method by name)
 */
import { createServer } from "node:http";
import { Counter, totalClicks } from "./counter.js";
import { TodoList } from "./todo.js";

const counters = new Map<string, Counter>([
  ["a", new Counter("a")],
  ["b", new Counter("b")],
]);
const todos = new TodoList();
/** Identity check: objects are WeakMap keys; an update must keep them the same objects. */
const names = new WeakMap<object, string>();
for (const [name, counter] of counters) names.set(counter, name);
names.set(todos, "todos");

function targetOf(name: string): object | undefined {
  return name === "todos" ? todos : counters.get(name);
}

function view(name: string, object: object) {
  return {
    fields: { ...object },
    sameObject: names.get(object) === name,
    isInstance: object instanceof (name === "todos" ? TodoList : Counter),
    constructorName: object.constructor.name,
  };
}

function state() {
  return {
    counters: Object.fromEntries([...counters].map(([n, c]) => [n, view(n, c)])),
    todos: view("todos", todos),
    totalClicks: totalClicks(),
  };
}

async function body(request: import("node:http").IncomingMessage): Promise<string> {
  let text = "";
  for await (const chunk of request) text += chunk;
  return text;
}

const server = createServer(async (request, response) => {
  const send = (status: number, value: unknown) => {
    response.writeHead(status, { "content-type": "application/json" });
    response.end(JSON.stringify(value));
  };
  try {
    const parts = (request.url ?? "/").split("?")[0]!.split("/").filter(Boolean);
    if (request.method === "GET" && parts[0] === "state") return send(200, state());
    if (request.method === "POST" && parts[0] === "counters" && parts[2] === "click") {
      const counter = counters.get(parts[1] ?? "");
      return counter ? send(200, counter.click()) : send(404, "no such counter");
    }
    if (request.method === "POST" && parts[0] === "todos")
      return send(200, todos.add(await body(request)));
    if (request.method === "GET" && parts[0] === "call" && parts.length === 3) {
      const target = targetOf(parts[1]!) as Record<string, unknown> | undefined;
      const method = target?.[parts[2]!];
      if (typeof method !== "function") return send(404, `no method ${parts[2]} on ${parts[1]}`);
      return send(200, method.call(target));
    }
    send(404, "not found");
  } catch (error) {
    send(500, String(error));
  }
});

server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  console.log(`listening on http://127.0.0.1:${port}`);
});
