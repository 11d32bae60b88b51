/**
 * What the program's process tells the `metamorph dev` supervisor over
 * Node's IPC channel (./supervisor.ts).
 */

/** Set in the environment of the program's process. */
export const CHILD_ENV = "METAMORPH_DEV_CHILD";

export type ChildMessage =
  /** The entry module ran, having loaded `files`: from now on an exit is the program's own. */
  | { readonly type: "started"; readonly files: readonly string[] }
  /** `file` was updated in place; the program has loaded `files` (a crash then waits for a save of one). */
  | { readonly type: "updated"; readonly file: string; readonly files: readonly string[] }
  /** An edit cannot be applied live: restart, saying why in one line. */
  | { readonly type: "restart"; readonly reason: string }
  /** The program could not start: restart when one of these files is saved. */
  | { readonly type: "start-failed"; readonly files: readonly string[] };

let released = false;

/**
 * Sends a message to the supervisor, when there is one. Once the program has
 * started, the channel is referenced only while a message is sent, so that
 * it never keeps a finished program alive.
 */
export function tellSupervisor(message: ChildMessage): void {
  if (!underSupervisor()) return;
  process.channel?.ref();
  process.send!(message, () => {
    if (released) process.channel?.unref();
  });
}

/**
 * Lets the program end on its own. Only after the entry ran: an unreferenced
 * channel while the loader hooks load the entry stalls the start-up (Node 20).
 */
export function releaseSupervisorChannel(): void {
  released = true;
  if (underSupervisor()) process.channel?.unref();
}

export function underSupervisor(): boolean {
  return process.env[CHILD_ENV] === "1" && typeof process.send === "function";
}
