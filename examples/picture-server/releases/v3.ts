/** Release v3 as a patch module for `metamorph pack` (see ../patches.ts). */
export { v3 as default } from "../patches.js";
