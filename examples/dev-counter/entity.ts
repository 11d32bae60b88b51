/** Superclasses for the example's classes (the live-reload test switches between them). */
let nextId = 1;

export class Entity {
  id = nextId++;
  constructor(readonly name: string) {}
  kind(): string {
    return "entity";
  }
}

export class Tracked extends Entity {
  touched = 0;
  override kind(): string {
    return "tracked";
  }
}
