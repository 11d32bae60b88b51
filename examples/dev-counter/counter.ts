import { Entity } from "./entity.js";

/** Module-level state that is not a class instance: kept across reloads. */
let clicksSinceStart = 0;

export class Counter extends Entity {
  count = 0;

  click(): number {
    clicksSinceStart++;
    this.count += 1;
    return this.count;
  }

  describe(): string {
    return `${this.name}: ${this.count}`;
  }
}

export function totalClicks(): number {
  return clicksSinceStart;
}
