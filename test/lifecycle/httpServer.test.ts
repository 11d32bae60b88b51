import http from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test } from "vitest";
import type { LifecycleReport } from "../../src/lifecycle/index.js";
import { ScheduledManager } from "../../src/lifecycle/index.js";
import { patch } from "../../src/index.js";
import { Namespace } from "../../src/index.js";

interface Reply {
  readonly start: string;
  readonly end: string;
}

type Handler = {
  label: string;
  hits: number;
  describe(): string;
  handle(path: string): Promise<Reply>;
};

const TOTAL = 240;
const CONCURRENCY = 16;
const UPDATE_AFTER = 80;

/** One GET on loopback; resolves with the parsed reply, or rejects on any failure. */
function get(agent: http.Agent, port: number, path: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: "127.0.0.1", port, path, agent }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () => {
        if (res.statusCode !== 200) reject(new Error(`HTTP ${res.statusCode}: ${body}`));
        else resolve(JSON.parse(body) as Reply);
      });
      res.on("error", reject);
    });
    req.on("error", reject);
  });
}

test("acceptance 1: an HTTP server under load is updated with forced quiescence: no failed request, no request sees two versions", async () => {
  const ns = new Namespace("http");
  const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
  const Handler = ns.defineClass<Handler>(
    {
      name: "Handler",
      fields: [
        { name: "label", initializer: '"shop"' },
        { name: "hits", initializer: "0" },
      ],
      methods: {
        describe(this: Handler) {
          return `v1:${this.label}`;
        },
        async handle(this: Handler, path: string) {
          this.hits++;
          const start = this.describe();
          await pause(path.startsWith("/slow") ? 40 : 1);
          return { start, end: this.describe() };
        },
      },
    },
    { scope: { pause } },
  );
  const handler = new Handler();
  const manager = new ScheduledManager({ retryDelayMs: 10 }).track(Handler);

  const server = http.createServer((req, res) => {
    handler.handle(req.url ?? "/").then(
      (reply) => {
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify(reply));
      },
      (error: unknown) => {
        res.statusCode = 500;
        res.end(String(error));
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

  // v2: the handler's data changes (label becomes title, a new field) and its code with it.
  const v2 = patch("v2")
    .renameField("Handler", "label", "title")
    .addField("Handler", "region", { default: "eu" })
    .replaceMethods("Handler", {
      describe(this: { title: string; region: string }) {
        return `v2:${this.title}@${this.region}`;
      },
    })
    .build();

  const replies: Reply[] = [];
  let failed = 0;
  let sent = 0;
  let report: Promise<LifecycleReport> | undefined;
  const client = async () => {
    while (sent < TOTAL) {
      const n = sent++;
      try {
        replies.push(await get(agent, port, n % 4 === 0 ? `/slow/${n}` : `/fast/${n}`));
      } catch {
        failed++;
      }
      if (replies.length === UPDATE_AFTER && !report) {
        report = manager.enqueue({
          namespace: ns,
          patch: v2,
          forceQuiescence: true,
          timeoutMs: 5000,
        }).done;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: CONCURRENCY }, client));
  } finally {
    agent.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    manager.close();
  }

  const done = await report!;
  expect(done.status).toBe("committed");
  expect(failed).toBe(0);
  expect(replies).toHaveLength(TOTAL);
  const mixed = replies.filter((r) => r.start.slice(0, 2) !== r.end.slice(0, 2));
  expect(mixed).toEqual([]);
  // Every reply comes from one version, with the handler's data carried over.
  for (const r of replies) expect(["v1:shop", "v2:shop@eu"]).toContain(r.start);
  expect(replies.some((r) => r.start.startsWith("v1"))).toBe(true);
  expect(replies.some((r) => r.start.startsWith("v2"))).toBe(true);
  // No write lost across the update.
  expect((handler as unknown as { hits: number }).hits).toBe(TOTAL);
  expect(Object.keys(handler)).toEqual(["title", "hits", "region"]);
  expect(done.straddled).toEqual([]);
  expect(done.pauseMs).toBeGreaterThan(0);
  expect(done.holdMs).toBeGreaterThan(0);
  console.log(
    `http update: pause ${done.pauseMs.toFixed(3)} ms (phases ${JSON.stringify(done.applied?.result?.timings)}), calls held ${done.holdMs.toFixed(1)} ms (${done.heldCalls} calls), waiting ${(done.timings.waiting ?? 0).toFixed(1)} ms, total ${done.timings.total.toFixed(1)} ms`,
  );
});
