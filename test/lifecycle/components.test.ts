import { describe, expect, test } from "vitest";
import type { Cooperative, ResumeNotice, UpdateNotice } from "../../src/lifecycle/index.js";
import { runUpdate } from "../../src/lifecycle/index.js";
import { patch } from "../../src/index.js";
import { Namespace } from "../../src/index.js";
import { deferred, eventually } from "./support.js";

type Account = { balance: number; describe(): string };

function bank() {
  const ns = new Namespace("bank");
  const Account = ns.defineClass<Account>({
    name: "Account",
    fields: [{ name: "balance", initializer: "0" }],
    methods: {
      describe(this: Account) {
        return `balance ${this.balance}`;
      },
    },
  });
  const account = new Account({ balance: 10 });
  return { ns, Account, account };
}

const cents = () =>
  patch("cents")
    .renameField("Account", "balance", "cents")
    .migrate("Account", (old, target) => {
      target.cents = Number(old.balance) * 100;
    })
    .replaceMethods("Account", {
      describe(this: { cents: number }) {
        return `${this.cents} cents`;
      },
    })
    .build();

/** A component with pending work that it parks on prepare and picks up on resume. */
class JobQueue implements Cooperative<{ jobs: string[] }> {
  readonly name: string;
  jobs: string[];
  parked = false;
  readonly log: string[] = [];
  resumedWith: { state: unknown; notice: ResumeNotice } | undefined;

  constructor(
    name: string,
    jobs: string[],
    readonly answer: (notice: UpdateNotice) => "ready" | "refuse" | Promise<"ready">,
    readonly ns: Namespace,
  ) {
    this.name = name;
    this.jobs = jobs;
  }

  async prepareForUpdate(notice: UpdateNotice) {
    this.log.push(`prepare ${notice.update} at v${this.ns.version}`);
    const answer = await this.answer(notice);
    if (answer === "refuse") return { ready: false as const, reason: "a job is half-way" };
    this.parked = true;
    const state = { jobs: this.jobs };
    this.jobs = [];
    return { ready: true as const, state };
  }

  resumeAfterUpdate(state: { jobs: string[] } | undefined, notice: ResumeNotice) {
    this.log.push(`resume committed=${notice.committed} at v${this.ns.version}`);
    this.resumedWith = { state, notice };
    if (state) this.jobs = state.jobs;
    this.parked = false;
  }
}

describe("acceptance 3: two cooperative components, two-phase", () => {
  test("one refuses: no commit, and both resume as they were", async () => {
    const { ns, account } = bank();
    const a = new JobQueue("mailer", ["m1", "m2"], () => "ready", ns);
    const b = new JobQueue("billing", ["b1"], () => "refuse", ns);
    const report = await runUpdate({ namespace: ns, patch: cents(), components: [a, b] });
    expect(report.status).toBe("postponed");
    expect(report.reason).toBe("a component is not ready (billing refused: a job is half-way)");
    expect(report.components.map((c) => [c.component, c.verdict])).toEqual([
      ["mailer", "ready"],
      ["billing", "refused"],
    ]);
    // Nothing changed.
    expect(ns.version).toBe(1);
    expect(account.describe()).toBe("balance 10");
    // Both resumed, uncommitted; the ready one got back exactly what it handed over.
    expect(a.log).toEqual(["prepare cents at v1", "resume committed=false at v1"]);
    expect(b.log).toEqual(["prepare cents at v1", "resume committed=false at v1"]);
    expect(a.jobs).toEqual(["m1", "m2"]);
    expect(a.parked).toBe(false);
    expect(b.jobs).toEqual(["b1"]);
    expect(a.resumedWith?.notice.reason).toContain("billing refused");
  });

  test("both ready: the update commits, then both receive their state (transformed to the new format)", async () => {
    const { ns, account } = bank();
    const a = new JobQueue("mailer", ["m1", "m2"], () => "ready", ns);
    const b = new JobQueue("billing", ["b1"], () => "ready", ns);
    let seenInResume = "";
    const report = await runUpdate({
      namespace: ns,
      patch: cents(),
      components: [a, b],
      transferState: (state, component) => ({
        jobs: (state as { jobs: string[] }).jobs.map((j) => `${(component as JobQueue).name}:${j}`),
      }),
      hooks: {
        resume: () => {
          seenInResume = account.describe();
        },
      },
    });
    expect(report.status).toBe("committed");
    expect(account.describe()).toBe("1000 cents");
    expect(seenInResume).toBe("1000 cents");
    expect(a.log).toEqual(["prepare cents at v1", "resume committed=true at v2"]);
    expect(b.log).toEqual(["prepare cents at v1", "resume committed=true at v2"]);
    expect(a.jobs).toEqual(["mailer:m1", "mailer:m2"]);
    expect(b.jobs).toEqual(["billing:b1"]);
    expect(report.components.every((c) => c.verdict === "ready")).toBe(true);
  });

  test("a component that does not answer in time: no commit; it is resumed only once its late answer arrives", async () => {
    const { ns, account } = bank();
    const late = deferred<"ready">();
    const a = new JobQueue("fast", ["f"], () => "ready", ns);
    const b = new JobQueue("slow", ["s1"], () => late.promise, ns);
    const report = await runUpdate({
      namespace: ns,
      patch: cents(),
      components: [a, b],
      prepareTimeoutMs: 50,
    });
    expect(report.status).toBe("postponed");
    expect(report.components.find((c) => c.component === "slow")?.verdict).toBe("timed-out");
    expect(a.log).toEqual(["prepare cents at v1", "resume committed=false at v1"]);
    expect(b.log).toEqual(["prepare cents at v1"]); // still preparing: not resumed under its feet
    late.resolve("ready");
    await eventually(() => b.log.length === 2);
    expect(b.log[1]).toBe("resume committed=false at v1");
    expect(b.jobs).toEqual(["s1"]);
    expect(account.describe()).toBe("balance 10");
  });

  test("a transfer that throws refuses the update before the commit; components resume with their own state", async () => {
    const { ns, account } = bank();
    const a = new JobQueue("mailer", ["m1"], () => "ready", ns);
    const report = await runUpdate({
      namespace: ns,
      patch: cents(),
      components: [a],
      transferState: () => {
        throw new Error("unknown format");
      },
    });
    expect(report.status).toBe("failed");
    expect(report.reason).toContain("unknown format");
    expect(ns.version).toBe(1);
    expect(account.describe()).toBe("balance 10");
    expect(a.jobs).toEqual(["m1"]);
    expect(a.log).toEqual(["prepare cents at v1", "resume committed=false at v1"]);
  });
});
