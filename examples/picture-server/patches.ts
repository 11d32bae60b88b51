/**
 * The two updates the picture server receives while it runs.
 *
 * v2 (eager, under forced quiescence of the handlers): Picture gains a
 * comment, `path` is renamed `basepath`, new methods `comment()` and
 * `annotate()`, and the gallery gains a command to comment a picture.
 * The comment is stored in the field `commentText`: a JavaScript object
 * cannot have an own field `comment` and still reach a `comment()` method on
 * its prototype (the field would shadow the method).
 *
 * v3 (progressive: lazy migration on first use plus a background sweep):
 * Picture's `width` and `height` move into a new class `Dimensions` (one new
 * object per picture, held in `dimensions`), Picture gains `megapixels()`,
 * and the gallery gains a `folderStats` command.
 */
import type { Patch } from "../../src/index.js";
import { patch } from "../../src/index.js";
import type { AddPictureArgs, FolderSummary, SavedState } from "./model.js";

interface PictureV2 {
  id: number;
  basepath: string;
  name: string;
  size: number;
  width: number;
  height: number;
  added: number;
  commentText: string;
}

export interface PictureInfoV2 {
  readonly id: number;
  readonly basepath: string;
  readonly name: string;
  readonly size: number;
  readonly width: number;
  readonly height: number;
  readonly comment: string;
}

interface Methods {
  info(): object;
  annotate(text: string): unknown;
  comment(): string;
  megapixels(): number;
}
interface FolderShape {
  name: string;
  pictures: Methods[];
  add(picture: unknown): void;
  summary(): FolderSummary;
  stats(): object;
}
interface GalleryShape {
  folders: Map<string, FolderShape>;
  pictures: Map<number, PictureV2 & Methods>;
  nextId: number;
}

// Names the gallery's methods see through their scope (see model.ts), declared
// here only so that this file type-checks. Never import a name that a method
// body uses: a bundler or test runner may rewrite the reference (vitest turns
// `thumbnail()` into `__vite_ssr_import_1__.thumbnail()`), and the method,
// compiled from its source text, would not find it.
declare const Picture: new (init: object) => PictureV2;
declare const ns: { classNamed(name: string): new (init: object) => object };
declare const thumbnail: () => Promise<void>;

export const v2: Patch = patch("v2")
  .renameField("Picture", "path", "basepath")
  .addField("Picture", "commentText", { default: "" })
  .replaceMethods("Picture", {
    info(this: PictureV2): PictureInfoV2 {
      return {
        id: this.id,
        basepath: this.basepath,
        name: this.name,
        size: this.size,
        width: this.width,
        height: this.height,
        comment: this.commentText,
      };
    },
    url(this: PictureV2): string {
      return `${this.basepath}/${this.name}`;
    },
  })
  .addMethods("Picture", {
    comment(this: PictureV2): string {
      return this.commentText;
    },
    annotate(this: PictureV2, text: string): PictureV2 {
      this.commentText = text;
      return this;
    },
  })
  .replaceMethods("Gallery", {
    async addPicture(this: GalleryShape, args: AddPictureArgs): Promise<object | null> {
      const folder = this.folders.get(args.folder);
      if (folder === undefined) return null;
      const picture = new Picture({
        id: this.nextId++,
        basepath: `/pictures/${args.folder}`,
        name: args.name,
        size: args.size,
        width: args.width,
        height: args.height,
      }) as PictureV2 & Methods;
      this.pictures.set(picture.id, picture);
      await thumbnail();
      folder.add(picture);
      return picture.info();
    },
    exportState(this: GalleryShape): SavedState {
      return {
        version: "v2",
        nextId: this.nextId,
        folders: [...this.folders.values()].map((f) => ({
          name: f.name,
          pictures: f.pictures.map((p) => p.info()),
        })),
      };
    },
  })
  .addMethods("Gallery", {
    commentPicture(this: GalleryShape, args: { id: number; text: string }): object | null {
      const picture = this.pictures.get(args.id);
      if (picture === undefined) return null;
      picture.annotate(String(args.text));
      return { id: args.id, comment: picture.comment() };
    },
  })
  .validateInstances("every picture has a basepath under /pictures/", "Picture", (p) =>
    typeof p.basepath === "string" && p.basepath.startsWith("/pictures/")
      ? true
      : `basepath is ${JSON.stringify(p.basepath)}`,
  )
  .policy("eager")
  .build();

interface DimensionsShape {
  width: number;
  height: number;
  describe(): { width: number; height: number };
  megapixels(): number;
}
interface PictureV3 extends Omit<PictureV2, "width" | "height"> {
  dimensions: DimensionsShape;
}

export const v3: Patch = patch("v3")
  .splitClass("Picture", ["width", "height"], { into: "Dimensions", via: "dimensions" })
  .addMethods("Dimensions", {
    describe(this: DimensionsShape): { width: number; height: number } {
      return { width: this.width, height: this.height };
    },
    megapixels(this: DimensionsShape): number {
      return Math.round((this.width * this.height) / 10_000) / 100;
    },
  })
  .replaceMethods("Picture", {
    info(this: PictureV3): object {
      return {
        id: this.id,
        basepath: this.basepath,
        name: this.name,
        size: this.size,
        dimensions: this.dimensions.describe(),
        comment: this.commentText,
      };
    },
  })
  .addMethods("Picture", {
    megapixels(this: PictureV3): number {
      return this.dimensions.megapixels();
    },
  })
  .addMethods("Folder", {
    stats(this: FolderShape): object {
      let megapixels = 0;
      for (const p of this.pictures) megapixels += p.megapixels();
      return {
        folder: this.name,
        pictures: this.pictures.length,
        megapixels: Math.round(megapixels * 100) / 100,
      };
    },
  })
  .replaceMethods("Gallery", {
    async addPicture(this: GalleryShape, args: AddPictureArgs): Promise<object | null> {
      const folder = this.folders.get(args.folder);
      if (folder === undefined) return null;
      const Dimensions = ns.classNamed("Dimensions");
      const picture = new Picture({
        id: this.nextId++,
        basepath: `/pictures/${args.folder}`,
        name: args.name,
        size: args.size,
        dimensions: new Dimensions({ width: args.width, height: args.height }),
      }) as PictureV2 & Methods;
      this.pictures.set(picture.id, picture);
      await thumbnail();
      folder.add(picture);
      return picture.info();
    },
    exportState(this: GalleryShape): SavedState {
      return {
        version: "v3",
        nextId: this.nextId,
        folders: [...this.folders.values()].map((f) => ({
          name: f.name,
          pictures: f.pictures.map((p) => p.info()),
        })),
      };
    },
  })
  .addMethods("Gallery", {
    folderStats(this: GalleryShape, args: { folder: string }): object | null {
      const folder = this.folders.get(args.folder);
      return folder === undefined ? null : folder.stats();
    },
  })
  .policy("progressive")
  .build();

export const patches: Readonly<Record<string, Patch>> = { v2, v3 };
