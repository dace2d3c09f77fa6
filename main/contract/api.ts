// The one API contract between the UI (renderer, via preload or the `trove serve` bridge)
// and the engine. Every message crossing a process boundary is parsed with these schemas,
// on both sides. Types are inferred from the schemas, so the two can never drift apart.
import { z } from 'zod';
import { AddPairsRequest, AdoptRequest, ImportPairsRequest, PairList, RemovePairsRequest, StartTuningRequest, TuningStatus } from './tuning';

export const ItemId = z.number().int().positive();
export const SourceId = z.number().int().positive();
export const ItemKind = z.enum(['image', 'note']);
export type ItemKind = z.infer<typeof ItemKind>;

/** A folder the user added. */
export const Source = z.object({
  id: SourceId,
  path: z.string(),
  addedAt: z.number(),
  itemCount: z.number().int().nonnegative(),
});
export type Source = z.infer<typeof Source>;

/** Progress of a long job: every long job reports this shape. */
export const JobProgress = z.object({
  jobId: z.number().int(),
  /** tune: a fine-tune run (done/total = steps); adopt: embedding the library with an adopted model version */
  kind: z.enum(['index', 'label', 'tune', 'adopt']),
  /** indexing runs in phases: looking for changes, embedding, then the perception passes */
  phase: z.enum(['scan', 'embed', 'passes']).optional(),
  state: z.enum(['running', 'paused', 'done', 'cancelled', 'failed']),
  done: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  /** items per second over the recent window */
  rate: z.number().nonnegative(),
  /** seconds left, null while unknown */
  etaSeconds: z.number().nonnegative().nullable(),
  message: z.string().optional(),
});
export type JobProgress = z.infer<typeof JobProgress>;

export const ModelInfo = z.object({
  id: z.string(),
  version: z.string(),
  family: z.string(),
  dim: z.number().int().positive(),
  /** execution provider actually running, e.g. 'cpu', 'cuda' */
  provider: z.string(),
  /** providers tried before it and why they did not run */
  providersTried: z.array(z.object({ name: z.string(), reason: z.string() })),
});
export type ModelInfo = z.infer<typeof ModelInfo>;

export const Status = z.object({
  dataDir: z.string(),
  sources: z.number().int().nonnegative(),
  items: z.object({ image: z.number().int().nonnegative(), note: z.number().int().nonnegative() }),
  embedded: z.number().int().nonnegative(),
  pending: z.number().int().nonnegative(),
  errors: z.number().int().nonnegative(),
  model: ModelInfo.nullable(),
  job: JobProgress.nullable(),
  /** the perception passes over photos: photos each has seen (at its current version or an older one) and failed on */
  passes: z.array(z.object({ pass: z.string(), done: z.number().int().nonnegative(), errors: z.number().int().nonnegative() })).default([]),
});
export type Status = z.infer<typeof Status>;

/** A file Trove could not read, and why, in words a user understands. */
export const ItemError = z.object({
  path: z.string(),
  reason: z.string(),
  at: z.number(),
});
export type ItemError = z.infer<typeof ItemError>;

export const Filters = z
  .object({
    sourceIds: z.array(SourceId).max(1000).optional(),
    kinds: z.array(ItemKind).max(2).optional(),
    /** epoch milliseconds, inclusive */
    dateFrom: z.number().optional(),
    dateTo: z.number().optional(),
    label: z.string().max(200).optional(),
    /** place names as the library knows them (city, region or country), any of them */
    places: z.array(z.string().min(1).max(200)).max(20).optional(),
  })
  .strict();
export type Filters = z.infer<typeof Filters>;

export const Sort = z.enum(['relevance', 'date']);

/** The part of a note that matched: character offsets into the note's text. */
export const ChunkRef = z.object({
  index: z.number().int().nonnegative(),
  start: z.number().int().nonnegative(),
  end: z.number().int().nonnegative(),
  text: z.string(),
});
export type ChunkRef = z.infer<typeof ChunkRef>;

/** A box in the original image's pixel coordinates (after EXIF rotation). */
export const Box = z.object({ x: z.number(), y: z.number(), width: z.number(), height: z.number() });
export type Box = z.infer<typeof Box>;

/** Why a result matched: shown on its card and printed by `trove search --json`. */
export const MatchReason = z.object({
  kind: z.enum(['text', 'name', 'object', 'label', 'face', 'colour', 'place', 'date', 'meaning', 'image']),
  /** e.g. `text: "bike shop"`, `object: dog 0.81`, `place: Lisbon`, `similar meaning` */
  label: z.string(),
  score: z.number().optional(),
});
export type MatchReason = z.infer<typeof MatchReason>;

/** A part of the query Trove understood (a date, a place...): a removable chip in the UI. */
export const QueryChip = z.object({
  id: z.string(),
  kind: z.enum(['date', 'place', 'kind', 'phrase', 'object']),
  label: z.string(),
  /** what the chip does: 'filter' narrows the results, 'boost' ranks matches first */
  effect: z.enum(['filter', 'boost']),
  /** UTF-16 offsets into the query text */
  span: z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]),
});
export type QueryChip = z.infer<typeof QueryChip>;

export const ParsedQuery = z.object({
  /** the words left to match by content, after dates, places and kind words were taken out */
  text: z.string(),
  chips: z.array(QueryChip),
});
export type ParsedQuery = z.infer<typeof ParsedQuery>;

export const SearchResult = z.object({
  id: ItemId,
  path: z.string(),
  kind: ItemKind,
  score: z.number(),
  chunk: ChunkRef.optional(),
  box: Box.optional(),
  takenAt: z.number().nullable().optional(),
  width: z.number().int().nullable().optional(),
  height: z.number().int().nullable().optional(),
  why: z.array(MatchReason).optional(),
});
export type SearchResult = z.infer<typeof SearchResult>;

const k = z.number().int().min(1).max(1000).default(50);
const queryText = z.string().trim().min(1).max(2000);

/** Find: text -> photos and notes; or an image (a library item, or dropped bytes) -> similar items. */
export const FindRequest = z
  .object({
    text: queryText.optional(),
    imageItemId: ItemId.optional(),
    /** a dropped image, base64; at most ~30 MB decoded */
    imageBase64: z.string().max(40_000_000).optional(),
    k,
    filters: Filters.default({}),
    sort: Sort.default('relevance'),
    /** chips (ids from a previous response's `parsed`) the user removed: their words are plain text */
    ignore: z.array(z.string().max(100)).max(50).optional(),
  })
  .strict()
  .refine((r) => r.text !== undefined || r.imageItemId !== undefined || r.imageBase64 !== undefined, {
    message: 'Give a text, an item id or an image to search with.',
  });
export type FindRequest = z.input<typeof FindRequest>;

export const SearchResponse = z.object({
  results: z.array(SearchResult),
  /** the exact instruction + text the model embedded, shown to the user */
  instruction: z.string(),
  /** what Trove understood of a text query */
  parsed: ParsedQuery.optional(),
  /** false: nothing matched well; the results are only the closest there are */
  strong: z.boolean().optional(),
});
export type SearchResponse = z.infer<typeof SearchResponse>;

export const AddSourceRequest = z.object({ path: z.string().min(1).max(4096) }).strict();
export const RemoveSourceRequest = z.object({ id: SourceId }).strict();
export const ItemRequest = z.object({ id: ItemId }).strict();
export const ErrorsRequest = z.object({ limit: z.number().int().min(1).max(10_000).default(500) }).strict();

export const ItemDetail = z.object({
  id: ItemId,
  sourceId: SourceId,
  path: z.string(),
  kind: ItemKind,
  size: z.number().int().nonnegative(),
  mtime: z.number(),
  takenAt: z.number().nullable(),
  camera: z.string().nullable(),
  gps: z.object({ lat: z.number(), lon: z.number() }).nullable(),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  /** notes only: the text, possibly truncated for display */
  text: z.string().optional(),
});
export type ItemDetail = z.infer<typeof ItemDetail>;

/** Ask (VQA): a question about one photo; candidate answers ranked. */
const answerText = z.string().trim().min(1).max(200);
export const AskRequest = z
  .object({
    itemId: ItemId,
    question: z.string().trim().min(1).max(1000),
    /** the user's own candidate answers, added to the built-in vocabulary */
    options: z.array(answerText).max(100).default([]),
    k: z.number().int().min(1).max(50).default(5),
  })
  .strict();
export type AskRequest = z.input<typeof AskRequest>;

export const Answer = z.object({
  text: z.string(),
  score: z.number(),
  /** true when the answer came from the user's options */
  fromOptions: z.boolean(),
});
export type Answer = z.infer<typeof Answer>;

export const AskResponse = z.object({
  itemId: ItemId,
  answers: z.array(Answer),
  /** the exact query the model embedded, shown to the user */
  instruction: z.string(),
});
export type AskResponse = z.infer<typeof AskResponse>;

/** Sort into labels (classification): 2..100 distinct labels after trimming. */
export const SortIntoLabelsRequest = z
  .object({
    labels: z
      .array(z.string().trim().min(1).max(200))
      .min(2)
      .max(200)
      .transform((ls) => [...new Set(ls)])
      .refine((ls) => ls.length >= 2 && ls.length <= 100, { message: 'Give between 2 and 100 different labels.' }),
  })
  .strict();
export type SortIntoLabelsRequest = z.input<typeof SortIntoLabelsRequest>;

export const LabelCount = z.object({ label: z.string(), count: z.number().int().nonnegative() });
export const LabelSet = z.object({
  /** null when no label set was ever made */
  id: z.number().int().positive().nullable(),
  labels: z.array(LabelCount),
  /** photos labelled so far with this set */
  labelled: z.number().int().nonnegative(),
  createdAt: z.number().nullable(),
  /** the exact query instruction the photos were embedded with */
  instruction: z.string(),
});
export type LabelSet = z.infer<typeof LabelSet>;

/** Point at (grounding): the photos where a caption matches a region, with that region's box. */
export const PointAtRequest = z
  .object({
    caption: queryText,
    k: z.number().int().min(1).max(100).default(20),
    filters: Filters.default({}),
  })
  .strict();
export type PointAtRequest = z.input<typeof PointAtRequest>;

/** Execution providers the runtime knows (onnxruntime-node names, lower case). */
export const ProviderName = z.enum(['cuda', 'tensorrt', 'dml', 'coreml', 'webgpu', 'cpu']);
export type ProviderName = z.infer<typeof ProviderName>;

/** A model package found in the installation's native-models/ or in <dataDir>/models/. */
export const ModelPackageInfo = z.object({
  dir: z.string(),
  id: z.string(),
  version: z.string(),
  family: z.string(),
});
export type ModelPackageInfo = z.infer<typeof ModelPackageInfo>;

/** Settings: the model package, execution providers, threads and the data folder. */
export const Settings = z.object({
  /** the package folder in use, null when none (no model, or one that came from elsewhere) */
  modelDir: z.string().nullable(),
  availableModels: z.array(ModelPackageInfo),
  provider: z.object({
    /** the order to try, best first ('cpu' is always tried last) */
    preferred: z.array(z.string()),
    /** the provider running the model now, null without a model */
    running: z.string().nullable(),
    /** providers tried before it and why they did not run */
    tried: z.array(z.object({ name: z.string(), reason: z.string() })),
  }),
  threads: z.number().int().min(1).max(64),
  dataDir: z.string(),
  /** false under `trove serve`: the folder is fixed by --data */
  dataDirChangeable: z.boolean(),
  /** whether personal fine-tuning can train the running model, and why not (null without a model) */
  training: z.object({ trainable: z.boolean(), reason: z.string() }).nullable().default(null),
});
export type Settings = z.infer<typeof Settings>;

export const UpdateSettingsRequest = z
  .object({
    /** one of getSettings().availableModels[].dir, never an arbitrary path */
    modelDir: z.string().min(1).max(4096).optional(),
    providers: z
      .array(ProviderName)
      .min(1)
      .max(6)
      .refine((ps) => new Set(ps).size === ps.length, { message: 'Name each execution provider once.' })
      .optional(),
    threads: z.number().int().min(1).max(64).optional(),
  })
  .strict();
export type UpdateSettingsRequest = z.input<typeof UpdateSettingsRequest>;

/** Add model: a folder with a model export (e.g. VLM2Vec on Qwen2-VL) checked and added to the library's models. */
export const AddModelRequest = z.object({ dir: z.string().min(1).max(4096) }).strict();
export const AddedModel = z.object({
  model: ModelPackageInfo,
  /** bytes of the model's files (they stay where they are) */
  bytes: z.number().int().nonnegative(),
  dim: z.number().int().positive(),
  /** how inputs are phrased: 'vlm2vec' or 'gme' */
  preset: z.string(),
  /** the providers this machine can run it on, and why not the others */
  providers: z.array(z.object({ name: z.string(), available: z.boolean(), reason: z.string().optional() })),
  /** false: Trove's trainer cannot fine-tune it (reason says why) */
  trainable: z.boolean(),
  trainingReason: z.string().optional(),
});
export type AddedModel = z.infer<typeof AddedModel>;

/** Events the engine pushes to the UI. */
export const EngineEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('progress'), progress: JobProgress }),
  z.object({ type: z.literal('libraryChanged'), added: z.number().int(), changed: z.number().int(), removed: z.number().int() }),
]);
export type EngineEvent = z.infer<typeof EngineEvent>;

/**
 * Every method: its request schema and its response schema. The preload bridge, the
 * IPC handlers, the HTTP bridge and the engine all validate against this table.
 */
export const methods = {
  status: { request: z.object({}).strict(), response: Status },
  listSources: { request: z.object({}).strict(), response: z.array(Source) },
  addSource: { request: AddSourceRequest, response: Source },
  removeSource: { request: RemoveSourceRequest, response: z.object({ removed: z.number().int() }) },
  startIndexing: { request: z.object({}).strict(), response: JobProgress.nullable() },
  pauseIndexing: { request: z.object({}).strict(), response: z.object({ ok: z.boolean() }) },
  resumeIndexing: { request: z.object({}).strict(), response: z.object({ ok: z.boolean() }) },
  cancelIndexing: { request: z.object({}).strict(), response: z.object({ ok: z.boolean() }) },
  listErrors: { request: ErrorsRequest, response: z.array(ItemError) },
  getItem: { request: ItemRequest, response: ItemDetail },
  find: { request: FindRequest, response: SearchResponse },
  ask: { request: AskRequest, response: AskResponse },
  sortIntoLabels: { request: SortIntoLabelsRequest, response: JobProgress },
  cancelLabels: { request: z.object({}).strict(), response: z.object({ ok: z.boolean() }) },
  listLabels: { request: z.object({}).strict(), response: LabelSet },
  pointAt: { request: PointAtRequest, response: SearchResponse },
  getSettings: { request: z.object({}).strict(), response: Settings },
  updateSettings: { request: UpdateSettingsRequest, response: Settings },
  addModel: { request: AddModelRequest, response: AddedModel },
  // personal fine-tuning (schemas in tuning.ts)
  listPairs: { request: z.object({}).strict(), response: PairList },
  addPairs: { request: AddPairsRequest, response: z.object({ added: z.number().int() }) },
  removePairs: { request: RemovePairsRequest, response: z.object({ removed: z.number().int() }) },
  importPairs: { request: ImportPairsRequest, response: z.object({ added: z.number().int() }) },
  startTuning: { request: StartTuningRequest, response: TuningStatus },
  cancelTuning: { request: z.object({}).strict(), response: z.object({ ok: z.boolean() }) },
  tuningStatus: { request: z.object({}).strict(), response: TuningStatus },
  adoptModel: { request: AdoptRequest, response: TuningStatus },
  cancelAdoption: { request: z.object({}).strict(), response: z.object({ ok: z.boolean() }) },
  rollbackModel: { request: z.object({}).strict(), response: TuningStatus },
} as const;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type RequestOf<M extends MethodName> = z.input<Methods[M]['request']>;
export type ParsedRequestOf<M extends MethodName> = z.output<Methods[M]['request']>;
export type ResponseOf<M extends MethodName> = z.infer<Methods[M]['response']>;

/** The engine implements this; the UI calls it through window.trove or the bridge. */
export type TroveApi = { [M in MethodName]: (req: ParsedRequestOf<M>) => Promise<ResponseOf<M>> };

/** An error a user can act on: what happened and what to do. */
export const ApiErrorCode = z.enum(['invalid', 'not_found', 'unavailable', 'internal', 'unauthorized', 'forbidden']);
export type ApiErrorCode = z.infer<typeof ApiErrorCode>;
export const ApiError = z.object({ code: ApiErrorCode, message: z.string() });
export type ApiError = z.infer<typeof ApiError>;

/** HTTP status for each error code (the `trove serve` bridge). */
export const httpStatusOf: Record<ApiErrorCode, number> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  internal: 500,
  unavailable: 503,
};

/** Type guard: is `name` one of the contract's method names (own keys only, never `__proto__` & co). */
export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(methods, name);
}
