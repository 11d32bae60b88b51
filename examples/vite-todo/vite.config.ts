import { defineConfig } from "vite";
// In an app: import metamorph from "metamorph/vite";
import metamorph from "../../src/dev/vite.js";

export default defineConfig({
  plugins: [metamorph()],
  server: { host: "127.0.0.1" },
});
