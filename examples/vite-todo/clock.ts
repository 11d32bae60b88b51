/**
 * A module that exports a class and a function. Edit the class: it is
 * updated in place like the others. Edit the function: its importers need
 * the new one, so Vite updates them (here, a page reload) and the browser
 * console says why.
 */
export class Clock {
  ticks = 0;

  tick(): void {
    this.ticks += 1;
  }

  label(): string {
    return `Ticks: ${this.ticks}`;
  }
}

export function describeClock(clock: Clock): string {
  return clock.label();
}
