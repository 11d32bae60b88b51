#!/usr/bin/env node
// The `metamorph` command. metamorph is shipped as TypeScript source, run through tsx.
import { register } from "tsx/esm/api";

register();
const { main } = await import("./main.ts");
const code = await main(process.argv.slice(2));
if (code !== undefined) process.exitCode = code;
