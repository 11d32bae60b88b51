/**
 * The page holds two stateful objects. Edit counter.ts or todo.ts while the
 * page is open (npm run dev): the page does not reload, the objects keep
 * their state, and the next render shows the new behaviour.
 */
import { Counter } from "./counter.js";
import { TodoList } from "./todo.js";

const counter = new Counter();
const todos = new TodoList();

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

function render(): void {
  $("counter").textContent = counter.label();
  $("todos").textContent = todos.render();
}

$("increment").addEventListener("click", () => {
  counter.increment();
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
Object.assign(globalThis, { app: { counter, todos, Counter, TodoList } });
