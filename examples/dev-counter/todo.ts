export interface Item {
  readonly text: string;
  done: boolean;
}

export class TodoList {
  items: Item[] = [];

  add(text: string): number {
    this.items.push({ text, done: false });
    return this.items.length;
  }

  describe(): string {
    return this.items.map((i) => `${i.done ? "[x]" : "[ ]"} ${i.text}`).join("\n");
  }
}
