/**
 * `npm start`: the picture server run by `metamorph run` as a cluster,
 * updated live under load by signed bundles that `metamorph apply` delivers,
 * next to a stop-save-restart-load upgrade (see README.md in this folder and
 * demo.ts).
 * The last line printed is the summary as one JSON object, also written to
 * examples/picture-server/out/demo.json. Exits 0 only if no request failed and no
 * acknowledged write was lost.
 *
 *   npx tsx examples/picture-server/main.ts [--pictures 10000] [--folders 50]
 *       [--seconds 20] [--rate 1500] [--clients 32] [--out DIR]
 *       [--workers 2]
 */
import { parseArgs } from "node:util";
import { demoConfig, runDemo } from "./demo.js";

const { values } = parseArgs({
  options: {
    pictures: { type: "string" },
    folders: { type: "string" },
    seconds: { type: "string" },
    rate: { type: "string" },
    clients: { type: "string" },
    out: { type: "string" },
    workers: { type: "string" },
  },
});
const number = (v: string | undefined) => (v === undefined ? undefined : Number(v));
const config = demoConfig({
  ...(values.pictures === undefined ? {} : { pictures: number(values.pictures)! }),
  ...(values.folders === undefined ? {} : { folders: number(values.folders)! }),
  ...(values.seconds === undefined ? {} : { seconds: number(values.seconds)! }),
  ...(values.rate === undefined ? {} : { rate: number(values.rate)! }),
  ...(values.clients === undefined ? {} : { clients: number(values.clients)! }),
  ...(values.out === undefined ? {} : { outDir: values.out }),
  ...(values.workers === undefined ? {} : { workers: number(values.workers)! }),
});

// Bounded no matter what: the whole run must end within two minutes.
const watchdog = setTimeout(() => {
  console.error("picture-server demo: still running after 115 s, giving up");
  process.exit(2);
}, 115_000);
watchdog.unref();

try {
  const summary = await runDemo(config);
  console.log(JSON.stringify(summary));
  process.exit(summary.ok ? 0 : 1);
} catch (error) {
  console.error(error);
  process.exit(1);
}
