/**
 * Nothing is lost: refusals are typed errors raised before anything changes,
 * failures in the middle of a commit are undone, and a committed update can
 * be rolled back. Run: npx tsx examples/api/safety.ts
 */
import {
  type MetamorphError,
  Namespace,
  patch,
  update,
  updateSync,
  type ValidationError,
} from "../../src/index.js";

export async function main(log: (line: string) => void = console.log): Promise<void> {
  const shop = new Namespace("shop");
  const Item = shop.defineClass<{ name: string; price: number }>({
    name: "Item",
    fields: [
      { name: "name", initializer: '""' },
      { name: "price", initializer: "0" },
    ],
  });
  const items = [new Item({ name: "pen", price: 2 }), new Item({ name: "book", price: 0 })];

  // 1. A validation fails: typed error with a report; nothing changed.
  try {
    updateSync(
      shop,
      patch("cents")
        .addField("Item", "cents", { initial: (old) => Number(old.price) * 100 })
        .validateInstances("priced", "Item", (i) => Number(i.cents) > 0 || `${i.name} has no price`)
        .build(),
    );
  } catch (error) {
    const report = (error as ValidationError).report;
    log(`${(error as MetamorphError).code}: ${report.failures.map((f) => f.message).join("; ")}`);
    log(`unchanged: ${JSON.stringify(items[1])}`);
  }

  // 2. A failing health check after the commit rolls the update back.
  const result = await update(shop, patch("rename").renameField("Item", "price", "cost").build(), {
    healthCheck: () => false,
  });
  log(`outcome: ${result.outcome}; item: ${JSON.stringify(items[0])}`);

  // 3. A committed update rolled back by hand keeps writes made since.
  const committed = updateSync(
    shop,
    patch("stock").addField("Item", "stock", { default: 1 }).build(),
  );
  items[0]!.price = 3;
  committed.rollback();
  log(`after rollback: ${JSON.stringify(items[0])}`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
