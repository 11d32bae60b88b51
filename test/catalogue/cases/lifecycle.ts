// The update lifecycle (metamorph/lifecycle): call trackers, managers,
// alterability criteria, and the cooperative path for private state.
import {
  InvalidPatchError,
  LifecycleError,
  MigrationError,
  Namespace,
  PrivateStateError,
  patch,
  UnmanagedClassError,
  UnswappableObjectError,
  ValidationError,
} from "../../../src/index.js";
import {
  Adoptable,
  applyUpdate,
  CallTracker,
  EXPORT_HOOK,
  evaluate,
  ExplicitManager,
  IMPORT_HOOK,
  preflight,
  quiescent,
  runUpdate,
  ScheduledManager,
} from "../../../src/lifecycle/index.js";
import type { World } from "../snapshot.js";
import { type AnyCase, kase } from "../support.js";
import { type ShopWorld, shopWorld } from "../worlds.js";

const LIFECYCLE = { error: LifecycleError, code: "MM_LIFECYCLE" } as const;

interface TrackedWorld extends ShopWorld {
  readonly tracker: CallTracker;
}
function trackedWorld(): TrackedWorld {
  const w = shopWorld();
  const tracker = new CallTracker().track(w.Item);
  return { ...w, tracker };
}

/** Runs an update through the lifecycle; a report that did not commit becomes its error. */
const throughLifecycle = async (
  run: Promise<{ status: string; error?: unknown; reason?: string }>,
) => {
  const report = await run;
  if (report.status !== "committed")
    throw report.error ?? new Error(`${report.status}: ${report.reason}`);
  return report;
};

interface SafeWorld extends World {
  readonly ns: Namespace;
  readonly objects: object[];
}
/** A registered class with private state and an export hook (optional), one instance. */
function safeWorld(withExport: boolean, frozen = false, exportThrows = false): SafeWorld {
  const ns = new Namespace("vault");
  class Safe {
    #code: number;
    opened = 0;
    constructor(code = 1) {
      this.#code = code;
    }
    code() {
      return this.#code;
    }
    static [EXPORT_HOOK](s: Safe) {
      if (exportThrows) throw new Error("vault jammed");
      return { code: s.#code };
    }
  }
  if (!withExport) Reflect.deleteProperty(Safe, EXPORT_HOOK);
  const S = ns.registerClass(Safe);
  const safe = new S(7);
  if (frozen) Object.freeze(safe);
  return { ns, objects: [safe] };
}

export const lifecycleCases: AnyCase[] = [
  kase<ShopWorld>({
    name: "tracking a class that is not a class handle",
    setup: shopWorld,
    act: () => {
      class Loose {}
      return new CallTracker().track(Loose);
    },
    refuse: {
      error: UnmanagedClassError,
      code: "MM_UNMANAGED_CLASS",
      names: ["Loose", "not a class handle"],
    },
  }),
  kase<TrackedWorld>({
    name: "a second hold on one call tracker",
    setup: trackedWorld,
    act: (w) => {
      const hold = w.tracker.hold([w.Item]);
      try {
        return w.tracker.hold([w.Item]);
      } finally {
        hold.release();
      }
    },
    refuse: { ...LIFECYCLE, names: ["already holding"] },
  }),
  kase<TrackedWorld>({
    name: "holding the calls of a class the tracker does not track",
    // Tracking Item tracks its subclass Book too; tracking Book leaves its superclass out.
    setup: () => {
      const w = shopWorld();
      return { ...w, tracker: new CallTracker().track(w.Book) };
    },
    act: (w) => w.tracker.hold([w.Item]),
    refuse: { ...LIFECYCLE, names: ["Item", "not tracked"] },
  }),
  kase<ShopWorld>({
    name: "evaluating quiescence without a call tracker",
    setup: shopWorld,
    act: (w) => evaluate(quiescent(w.Item), undefined),
    refuse: { ...LIFECYCLE, names: ["Item", "call tracker"] },
  }),
  kase<ShopWorld>({
    name: "forced quiescence without a call tracker",
    setup: shopWorld,
    act: (w) =>
      throughLifecycle(
        runUpdate({
          namespace: w.ns,
          patch: patch("q").addField("Item", "stock").build(),
          forceQuiescence: true,
        }),
      ),
    refuse: { ...LIFECYCLE, names: ["q", "call tracker"] },
  }),
  kase<ShopWorld>({
    name: "an update given to a closed manager",
    setup: shopWorld,
    act: (w) => {
      const manager = new ExplicitManager();
      manager.close();
      return manager.enqueue({
        namespace: w.ns,
        patch: patch("late").addField("Item", "stock").build(),
      });
    },
    refuse: { ...LIFECYCLE, names: ["closed", "late"] },
  }),
  kase<ShopWorld>({
    name: "starting a closed scheduled manager",
    setup: shopWorld,
    act: () => {
      const manager = new ScheduledManager({ autoStart: false });
      manager.close();
      manager.start();
    },
    refuse: { ...LIFECYCLE, names: ["closed"] },
  }),
  kase<ShopWorld>({
    name: "runUpdate of a patch that does not fit the namespace",
    setup: shopWorld,
    act: (w) =>
      throughLifecycle(
        runUpdate({ namespace: w.ns, patch: patch("bad").removeField("Item", "stock").build() }),
      ),
    refuse: { error: InvalidPatchError, code: "MM_INVALID_PATCH", names: ["Item", '"stock"'] },
  }),
  kase<ShopWorld>({
    name: "preflight of a patch making a superclass cycle",
    setup: shopWorld,
    act: (w) => preflight(w.ns, patch("cycle").changeSuperclass("Item", "Book").build()),
    refuse: { error: ValidationError, code: "MM_VALIDATION_FAILED", names: ["cycle", "Item"] },
  }),
  kase<ShopWorld>({
    name: "runUpdate whose requirement refuses",
    setup: shopWorld,
    act: async (w) => {
      const report = await runUpdate({
        namespace: w.ns,
        patch: patch("gated").addField("Item", "stock").build(),
        hooks: { checkRequirements: () => ({ verdict: "never", reason: "not on Fridays" }) },
      });
      return report;
    },
    accept: (report, w) => {
      const r = report as { status: string; reason?: string };
      if (r.status === "committed" || !String(r.reason).includes("not on Fridays"))
        throw new Error(JSON.stringify(r.status));
      if (Object.hasOwn(w.items[0]!, "stock")) throw new Error("migrated anyway");
    },
  }),
  kase<SafeWorld>({
    name: "a new implementation of a class with private state and no export hook",
    setup: () => safeWorld(false),
    act: (w) => {
      class Safe extends Adoptable {
        #code = 0;
        opened = 0;
        code() {
          return this.#code;
        }
        static [IMPORT_HOOK](s: Safe, state: { code: number }) {
          s.#code = state.code;
        }
      }
      return applyUpdate(w.ns, patch("v2").replaceImplementation("Safe", Safe).build());
    },
    refuse: { error: PrivateStateError, code: "MM_PRIVATE_STATE", names: ["Safe", EXPORT_HOOK] },
  }),
  kase<SafeWorld>({
    name: "a new implementation of a class with private state and no import hook",
    setup: () => safeWorld(true),
    act: (w) => {
      class Safe extends Adoptable {
        #code = 0;
        opened = 0;
        code() {
          return this.#code;
        }
      }
      return applyUpdate(w.ns, patch("v2").replaceImplementation("Safe", Safe).build());
    },
    refuse: { error: PrivateStateError, code: "MM_PRIVATE_STATE", names: ["Safe", IMPORT_HOOK] },
  }),
  kase<SafeWorld>({
    name: "a new implementation with private state that does not extend Adoptable",
    setup: () => safeWorld(true),
    act: (w) => {
      class Safe {
        #code = 0;
        opened = 0;
        code() {
          return this.#code;
        }
        static [IMPORT_HOOK](s: Safe, state: { code: number }) {
          s.#code = state.code;
        }
      }
      return applyUpdate(w.ns, patch("v2").replaceImplementation("Safe", Safe).build());
    },
    refuse: { error: PrivateStateError, code: "MM_PRIVATE_STATE", names: ["Safe", "Adoptable"] },
  }),
  kase<SafeWorld>({
    name: "the cooperative path over a frozen instance",
    setup: () => safeWorld(true, true),
    act: (w) => {
      class Safe extends Adoptable {
        #code = 0;
        opened = 0;
        code() {
          return this.#code;
        }
        static [IMPORT_HOOK](s: Safe, state: { code: number }) {
          s.#code = state.code;
        }
      }
      return applyUpdate(w.ns, patch("v2").replaceImplementation("Safe", Safe).build());
    },
    refuse: {
      error: UnswappableObjectError,
      code: "MM_UNSWAPPABLE_OBJECT",
      names: ["Safe", "not extensible"],
    },
  }),
  kase<SafeWorld>({
    name: "an export hook that throws",
    setup: () => safeWorld(true, false, true),
    act: (w) => {
      class Safe extends Adoptable {
        #code = 0;
        opened = 0;
        code() {
          return this.#code;
        }
        static [IMPORT_HOOK](s: Safe, state: { code: number }) {
          s.#code = state.code;
        }
      }
      return applyUpdate(w.ns, patch("v2").replaceImplementation("Safe", Safe).build());
    },
    refuse: {
      error: MigrationError,
      code: "MM_MIGRATION_FAILED",
      names: ["Safe", EXPORT_HOOK, "vault jammed"],
    },
  }),
  kase<SafeWorld>({
    name: "the cooperative path with another change to the same class in one patch",
    setup: () => safeWorld(true),
    act: (w) => {
      class Safe extends Adoptable {
        #code = 0;
        opened = 0;
        static [IMPORT_HOOK](s: Safe, state: { code: number }) {
          s.#code = state.code;
        }
      }
      return applyUpdate(
        w.ns,
        patch("v2").replaceImplementation("Safe", Safe).renameClass("Safe", "Vault").build(),
      );
    },
    refuse: {
      error: InvalidPatchError,
      code: "MM_INVALID_PATCH",
      names: ["Safe", "separate update"],
    },
  }),
];
