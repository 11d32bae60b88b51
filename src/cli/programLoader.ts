/**
 * What rewrites a program's modules for the dev runtime, installed alike by
 * `metamorph dev` (./runProgram.ts) and `metamorph run` (./commands/run.ts):
 * the loader hooks (../dev/hooks.ts) for what Node's module loader loads,
 * posting each module's JavaScript on `port`, and the require hook
 * (../dev/requireHook.ts) for what `require` compiles, which Node 20's hooks
 * do not see. metamorph's own files are left alone.
 */
import { register } from "node:module";
import type { MessagePort } from "node:worker_threads";
import type { HooksData } from "../dev/hooks.js";
import { installRequireHook } from "../dev/requireHook.js";
import type { DevRuntime } from "../dev/runtime.js";
import { OWN_EXTENSION } from "./tsxLookup.js";

/** Rewrites every program module loaded from now on; `port` is the other end of the runtime's `sources`. */
export function installProgramLoader(runtime: DevRuntime, port: MessagePort): void {
  const exclude = [new URL("../", import.meta.url).href];
  installRequireHook({ exclude, loaded: (url, js) => runtime.sourceLoaded(url, js) });
  const data: HooksData = { exclude, port };
  register(new URL(`../dev/hooks${OWN_EXTENSION}`, import.meta.url), {
    parentURL: import.meta.url,
    data,
    transferList: [port],
  });
}
