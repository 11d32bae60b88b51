/**
 * The picture server's state: folders of Picture objects, held in memory and
 * defined through a metamorph namespace (version 1), in the spirit of the
 * Pymoult paper's example.
 *
 * The rule every method here follows, so that lazy and progressive updates
 * are sound: code outside a class reads another class's state only through
 * its methods (`picture.info()`, never `picture.path`). A method call on an
 * object that a lazy update has not migrated yet migrates it first; a direct
 * field read would see the old layout.
 *
 * Methods are compiled from their source text: they see the names passed as
 * `scope`, not this module's closures. Inside method bodies, keep arrow
 * functions inline (`list.map((p) => p.info())`): tsx/esbuild wraps functions
 * bound to a name (`const f = () => …`) in a `__name(…)` helper that
 * compiled methods cannot see.
 */
import { Namespace } from "../../src/index.js";

/** A picture as version 1 describes it (also the format v1 saves to disk). */
export interface PictureInfoV1 {
  readonly id: number;
  readonly path: string;
  readonly name: string;
  readonly size: number;
  readonly width: number;
  readonly height: number;
}

export interface FolderSummary {
  readonly name: string;
  readonly pictures: number;
}

export interface AddPictureArgs {
  readonly folder: string;
  readonly name: string;
  readonly size: number;
  readonly width: number;
  readonly height: number;
}

export interface SavedState {
  readonly version: string;
  readonly nextId: number;
  readonly folders: readonly { readonly name: string; readonly pictures: readonly object[] }[];
}

/** What the HTTP layer calls: one method per command; a patch can add commands. */
export interface Gallery {
  listFolders(): FolderSummary[];
  serveFolder(args: { folder: string }): object | null;
  addPicture(args: AddPictureArgs): Promise<object | null>;
  picture(args: { id: number }): object | null;
  createFolder(args: { folder: string }): FolderSummary;
  adopt(folder: string, picture: object): void;
  exportState(): SavedState;
  [command: string]: unknown;
}

// The shapes methods see as `this` (types only; the classes are made from definitions).
interface PictureV1 {
  id: number;
  path: string;
  name: string;
  size: number;
  width: number;
  height: number;
  added: number;
  info(): PictureInfoV1;
}
interface FolderV1 {
  name: string;
  pictures: PictureV1[];
  add(picture: PictureV1): void;
  summary(): FolderSummary;
}
interface GalleryV1 {
  folders: Map<string, FolderV1>;
  pictures: Map<number, PictureV1>;
  nextId: number;
}

/** The simulated asynchronous step of adding a picture (storing a thumbnail): 5 ms. */
export const thumbnail = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 5));

export interface PictureWorld {
  readonly ns: Namespace;
  readonly gallery: Gallery;
}

/** Defines Picture, Folder and Gallery (version 1) in a new namespace and makes the one gallery. */
export function createPictureWorld(): PictureWorld {
  const ns = new Namespace("pictures");
  const Picture = ns.defineClass<PictureV1>({
    name: "Picture",
    fields: [
      { name: "id", initializer: "0" },
      { name: "path", initializer: '""' },
      { name: "name", initializer: '""' },
      { name: "size", initializer: "0" },
      { name: "width", initializer: "0" },
      { name: "height", initializer: "0" },
      { name: "added", initializer: "Date.now()" },
    ],
    methods: {
      info(this: PictureV1): PictureInfoV1 {
        return {
          id: this.id,
          path: this.path,
          name: this.name,
          size: this.size,
          width: this.width,
          height: this.height,
        };
      },
      url(this: PictureV1): string {
        return `${this.path}/${this.name}`;
      },
    },
  });
  const Folder = ns.defineClass<FolderV1>({
    name: "Folder",
    fields: [
      { name: "name", initializer: '""' },
      { name: "pictures", initializer: "[]" },
    ],
    methods: {
      add(this: FolderV1, picture: PictureV1): void {
        this.pictures.push(picture);
      },
      summary(this: FolderV1): FolderSummary {
        return { name: this.name, pictures: this.pictures.length };
      },
      listing(this: FolderV1): object[] {
        return this.pictures.map((p) => p.info());
      },
    },
  });
  const GalleryClass = ns.defineClass<GalleryV1 & Gallery>(
    {
      name: "Gallery",
      fields: [
        { name: "folders", initializer: "new Map()" },
        { name: "pictures", initializer: "new Map()" },
        { name: "nextId", initializer: "1" },
      ],
      methods: {
        listFolders(this: GalleryV1): FolderSummary[] {
          return [...this.folders.values()].map((f) => f.summary());
        },
        serveFolder(this: GalleryV1, args: { folder: string }): object | null {
          const folder = this.folders.get(args.folder) as
            | (FolderV1 & { listing(): object[] })
            | undefined;
          if (folder === undefined) return null;
          return { folder: args.folder, pictures: folder.listing() };
        },
        createFolder(this: GalleryV1, args: { folder: string }): FolderSummary {
          let folder = this.folders.get(args.folder);
          if (folder === undefined) {
            folder = new Folder({ name: args.folder });
            this.folders.set(args.folder, folder);
          }
          return folder.summary();
        },
        async addPicture(this: GalleryV1, args: AddPictureArgs): Promise<object | null> {
          const folder = this.folders.get(args.folder);
          if (folder === undefined) return null;
          const picture = new Picture({
            id: this.nextId++,
            path: `/pictures/${args.folder}`,
            name: args.name,
            size: args.size,
            width: args.width,
            height: args.height,
          });
          this.pictures.set(picture.id, picture);
          // In flight across an await: exactly what forced quiescence drains before an update.
          await thumbnail();
          folder.add(picture);
          return picture.info();
        },
        picture(this: GalleryV1, args: { id: number }): object | null {
          const picture = this.pictures.get(args.id);
          return picture === undefined ? null : picture.info();
        },
        /** Puts an existing picture in a folder (seeding, loading saved state); not an HTTP command. */
        adopt(this: GalleryV1, folderName: string, picture: PictureV1): void {
          const folder = this.folders.get(folderName)!;
          this.pictures.set(picture.id, picture);
          if (picture.id >= this.nextId) this.nextId = picture.id + 1;
          folder.add(picture);
        },
        exportState(this: GalleryV1): SavedState {
          return {
            version: "v1",
            nextId: this.nextId,
            folders: [...this.folders.values()].map((f) => ({
              name: f.name,
              pictures: f.pictures.map((p) => p.info()),
            })),
          };
        },
      },
    },
    // `ns` lets later versions' methods reach classes that patches add (v3's Dimensions).
    { scope: { Picture, Folder, thumbnail, ns } },
  );
  const gallery = new GalleryClass() as unknown as Gallery;
  ns.define("gallery", gallery);
  return { ns, gallery };
}

/** A small deterministic generator (mulberry32), so every run seeds the same pictures. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const folderName = (i: number): string => `album-${String(i).padStart(3, "0")}`;

/** Synchronous v1 seeding: `pictures` pictures spread over `folders` folders. */
export function seedPictures(
  world: PictureWorld,
  options: { pictures: number; folders: number; seed?: number },
): void {
  const rnd = random(options.seed ?? 42);
  const { gallery } = world;
  for (let f = 0; f < options.folders; f++) gallery.createFolder({ folder: folderName(f) });
  // Built with the namespace's own class, without the simulated async step.
  const Picture = world.ns.classNamed<PictureV1>("Picture") as unknown as new (
    init: Partial<PictureV1>,
  ) => PictureV1;
  for (let i = 0; i < options.pictures; i++) {
    const folder = folderName(i % options.folders);
    const picture = new Picture({
      id: i + 1,
      path: `/pictures/${folder}`,
      name: `img_${String(i).padStart(6, "0")}.jpg`,
      size: 50_000 + Math.floor(rnd() * 4_000_000),
      width: 640 + 64 * Math.floor(rnd() * 50),
      height: 480 + 48 * Math.floor(rnd() * 50),
    });
    gallery.adopt(folder, picture);
  }
}
