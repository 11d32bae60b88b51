export class Counter {
  count = 0;

  increment(): void {
    this.count += 1;
  }

  label(): string {
    return `Count: ${this.count}`;
  }
}
