// Docs example (docs/lifecycle.md): update points with an explicit manager,
// requirements, and a retirement report.
import { Namespace, patch } from "../../../src/index.js";
import { ExplicitManager } from "../../../src/lifecycle/index.js";

export async function main(log: (line: string) => void): Promise<void> {
  const game = new Namespace("game");
  const Player = game.defineClass<{ hp: number; status(): string }>({
    name: "Player",
    fields: [{ name: "hp", initializer: "100" }],
    methods: {
      status(this: { hp: number }) {
        return `hp ${this.hp}`;
      },
    },
  });
  const players = [new Player(), new Player({ hp: 40 })];
  let saved = false;

  const manager = new ExplicitManager();
  const ticket = manager.enqueue({
    namespace: game,
    patch: patch("shields")
      .addField("Player", "shield", { initial: (old) => (Number(old.hp) < 50 ? 25 : 0) })
      .replaceMethods("Player", {
        status(this: { hp: number; shield: number }) {
          return `hp ${this.hp} + shield ${this.shield}`;
        },
      })
      .policy("lazy")
      .build(),
    hooks: {
      // "not-yet" postpones (retried at the next update point); "never" cancels.
      checkRequirements: () =>
        saved ? "ready" : { verdict: "not-yet", reason: "save the game first" },
    },
  });

  // The game loop's update point: between two frames.
  const frame = async () => {
    for (const r of await manager.applyPending())
      log(`${r.update}: ${r.status}${r.reason ? ` (${r.reason})` : ""}`);
  };
  await frame();
  saved = true;
  await frame();
  log(players.map((p) => p.status()).join("; "));
  const report = (await ticket.done).retirement!;
  log(
    `retired: ${report.retired.map((r) => `${r.className} v${r.version} → v${r.replacedBy}`).join(", ")}; still on the old layout: ${report.pendingInstances}`,
  );
}
