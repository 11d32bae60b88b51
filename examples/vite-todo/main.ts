/**
 * The page holds three stateful objects. Edit counter.ts, todo.ts or the
 * class in clock.ts while the page is open (npm run dev): the page does not
 * reload, the objects keep their state, and the next render shows the new
 * behaviour.
 */
import { Clock, describeClock } from "./clock.js";
import { Counter } from "./counter.js";
import { TodoList } from "./todo.js";

const counter = new Counter();
const todos = new TodoList();
const clock = new Clock();

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

function render(): void {
  $("counter").textContent = counter.label();
  $("todos").textContent = todos.render();
  $("clock").textContent = describeClock(clock);
}

$("increment").addEventListener("click", () => {
  counter.increment();
  clock.tick();
  render();
});
$<HTMLFormElement>("add").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = $<HTMLInputElement>("text");
  if (input.value.trim() !== "") todos.add(input.value.trim());
  input.value = "";
  render();
});
// metamorph announces every update: render again to show the new code.
addEventListener("metamorph:update", render);

render();
Object.assign(globalThis, { app: { counter, todos, clock, Counter, TodoList, Clock } });
