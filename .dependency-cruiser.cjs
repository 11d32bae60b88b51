// Folders under src/ are layers; an import may only point down this list
// (towards errors.ts). The three tools at the top may not import each other,
// except the CLI, which drives the dev runtime. `release` (signed bundles,
// release history, the control channel) sits on the lifecycle, below the
// tools and the CLI that drive it.
const LAYERS = [
  "errors",
  "mop",
  "namespace",
  "patch",
  "validation",
  "migration",
  "lifecycle",
  "release",
  "testing|dev",
  "cli",
];
// The bottom layer is three files: the errors, the suggestion of the key an
// unknown option key likely meant, and the kind of an argument told without
// throwing (used by every layer's argument checks).
const path = (layer) =>
  layer === "errors" ? "^src/(errors|unknownKeys|valueKinds)\\.ts$" : `^src/(${layer})/`;

const upward = LAYERS.slice(0, -1).map((layer, i) => ({
  name: `layer-${layer.replace("|", "-")}`,
  comment: `src/${layer} imports only from the layers below it`,
  severity: "error",
  from: { path: path(layer) },
  to: { path: LAYERS.slice(i + 1).map(path) },
}));

module.exports = {
  forbidden: [
    ...upward,
    ...[
      ["testing", "dev"],
      ["dev", "testing"],
    ].map(([from, to]) => ({
      name: `${from}-${to}-apart`,
      comment: "the testing kit and the dev tools are separate layers on the same level",
      severity: "error",
      from: { path: `^src/${from}/` },
      to: { path: `^src/${to}/` },
    })),
    {
      name: "no-entry-points-inside",
      comment: "src/index.ts is the root entry point; nothing inside the library imports it",
      severity: "error",
      from: { path: "^src/.+/" },
      to: { path: "^src/index\\.ts$" },
    },
    {
      name: "no-circular",
      comment: "modules do not import each other in a circle",
      severity: "error",
      from: { path: "^src/" },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    exclude: { path: "^(node_modules|dist)/" },
  },
};
