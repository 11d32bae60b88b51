/**
 * Release v4: methods only — a folder's summary names the release that
 * answered. The demo applies it after the load and rolls it back with
 * `metamorph rollback`.
 */
import { patch } from "../../../src/index.js";

interface FolderShape {
  name: string;
  pictures: unknown[];
}

export default patch("v4")
  .replaceMethods("Folder", {
    summary(this: FolderShape) {
      return { name: this.name, pictures: this.pictures.length, release: "v4" };
    },
  })
  .build();
