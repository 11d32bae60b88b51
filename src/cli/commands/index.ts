/** The release commands (issue 14): name → run(arguments) → exit code, and their lines in `metamorph --help`. */
import { apply } from "./apply.js";
import { diff } from "./diff.js";
import { inspect } from "./inspect.js";
import { keygen } from "./keygen.js";
import { pack } from "./pack.js";
import { permanent, rollback } from "./releaseStep.js";
import { run } from "./run.js";
import { status } from "./status.js";

/** Each resolves with the exit code, or undefined while the program it started runs (`run`). */
export const RELEASE_COMMANDS: Readonly<
  Record<string, (args: readonly string[]) => Promise<number | undefined>>
> = { run, keygen, diff, pack, inspect, apply, status, rollback, permanent };

export const RELEASE_COMMANDS_USAGE = `  run <entry>     run a service with a control socket for signed updates (--trust <key>)
  keygen          make an Ed25519 key pair for signing bundles (-o <dir>)
  diff <old> <new> derive the patch between two releases' sources (-o <module>)
  pack <module>   sign a patch module's patches into a bundle file
  inspect <file>  print what a bundle holds (compiles nothing)
  apply <file>    apply a bundle to a running service (--to <socket|pid>)
  status          show a running service's releases (--to <socket|pid>)
  rollback        roll a running service back one release (--to …)
  permanent       make a running service's current release permanent (--to …)
`;
