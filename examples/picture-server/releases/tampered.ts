/**
 * A "v4" whose code has a side effect the moment it is compiled: a static
 * initialiser writes the file named by DEMO_MARKER. The demo signs it, changes
 * one byte of the signed bundle and sends it: the service refuses it before
 * compiling anything, so the file never appears.
 */
import { patch } from "../../../src/index.js";

export default patch("v4")
  .addStaticField("Gallery", "compiledAt", {
    defaultSource:
      'process.getBuiltinModule("node:fs").writeFileSync(process.env.DEMO_MARKER ?? "/dev/null", "compiled")',
  })
  .build();
