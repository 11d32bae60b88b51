// Docs example (docs/lifecycle.md): a scheduled manager applies an update with
// forced quiescence while a slow asynchronous call is in flight.
import { Namespace, patch } from "../../../src/index.js";
import { ScheduledManager } from "../../../src/lifecycle/index.js";

export async function main(log: (line: string) => void): Promise<void> {
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
  while (manager.status !== "waiting") await sleep(1);
  const second = orders.place("cake"); // arrives while the update waits: held at entry

  const report = await ticket.done;
  log(await first);
  log(await second);
  log(`${report.status}; straddled: ${report.straddled.length}; held calls: ${report.heldCalls}`);
  log(report.events.flatMap((e) => (e.type === "transition" ? [e.to] : [])).join(" → "));
  manager.close();
}
