export interface Item {
  readonly text: string;
  done: boolean;
}

export class TodoList {
  items: Item[] = [];

  add(text: string): void {
    this.items.push({ text, done: false });
  }

  render(): string {
    return this.items.map((item) => `- ${item.text}`).join("\n");
  }
}
