#!/usr/bin/env node
/**
 * The `metamorph` command. Plain JavaScript once compiled (dist/cli/bin.js);
 * run from source with `node --import tsx src/cli/bin.ts`. It needs no
 * TypeScript runtime to start: tsx is loaded only for a TypeScript entry.
 */
import { main } from "./main.js";

const code = await main(process.argv.slice(2));
if (code !== undefined) process.exitCode = code;
