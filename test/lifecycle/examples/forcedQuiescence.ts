// Docs example (docs/lifecycle.md quotes everything below this header, with
// the imports from "metamorph" and "metamorph/lifecycle"): a scheduled manager
// applies an update with forced quiescence while a slow asynchronous call is
// in flight.
import { Namespace, patch } from "../../../src/index.js";
import { ScheduledManager } from "../../../src/lifecycle/index.js";

export async function main(log: (line: string) => void = console.log): Promise<void> {
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const app = new Namespace("app");
  const Orders = app.defineClass<{ count: number; place(item: string): Promise<string> }>(
    {
      name: "Orders",
      fields: [{ name: "count", initializer: "0" }],
      methods: {
        async place(this: { count: number }, item: string) {
          const n = ++this.count;
          await sleep(200); // talks to a slow service
          return `order ${n}: ${item} (v1)`;
        },
      },
    },
    { scope: { sleep } },
  );
  const orders = new Orders();

  // Track at start-up: calls already running when tracking starts are invisible.
  const manager = new ScheduledManager().track(Orders);

  const first = orders.place("tea"); // in flight when the update arrives
  const ticket = manager.enqueue({
    namespace: app,
    patch: patch("v2")
      .renameField("Orders", "count", "placed")
      .replaceMethods("Orders", {
        async place(this: { placed: number }, item: string) {
          return `order ${++this.placed}: ${item} (v2)`;
        },
      })
      .build(),
    forceQuiescence: true, // hold new calls, drain in-flight ones, apply, release
    timeoutMs: 5000, // otherwise: postponed, held calls run on v1, nothing changed
  });
  // Calls are held from `waiting` on, not from enqueue(): requirements, set-up
  // and the preflight come first, and a refused patch must not have held any.
  while (manager.status !== "waiting") await sleep(1);
  const second = orders.place("cake"); // arrives while the update waits: held at entry

  const report = await ticket.done;
  log(await first); // order 1: tea (v1)  — finished entirely on v1
  log(await second); // order 2: cake (v2) — ran entirely on v2, with v1's count
  log(`${report.status}; straddled: ${report.straddled.length}; held calls: ${report.heldCalls}`);
  // committed; straddled: 0; held calls: 1
  log(report.events.flatMap((e) => (e.type === "transition" ? [e.to] : [])).join(" → "));
  // checking → preparing → waiting → applying → migrating → validating → committed
  // report.pauseMs: how long the program could not run; report.holdMs: how long calls were held.
  manager.close();
}
