/** Release v2 as a patch module for `metamorph pack` (see ../patches.ts). */
export { v2 as default } from "../patches.js";
