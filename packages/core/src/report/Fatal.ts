import * as Schema from "effect/Schema"
import type { FatalError } from "./DeliveryReport.ts"
import { oneLineError } from "./ErrorText.ts"

// Why a run stopped early, one tagged error per cause. The engine carries these (in the error
// channel, then in the tally); the report writes them as the `{ kind, message, status? }` record
// apps and the JSON report have always read (`fatalRecord`).

const said = { message: Schema.String }
const saidWithStatus = { message: Schema.String, status: Schema.optional(Schema.Number) }

/** The endpoint refused the write key (401/403). */
export class WriteKeyRefused extends Schema.TaggedError<WriteKeyRefused>()("WriteKeyRefused", saidWithStatus) {}
/** The endpoint did not accept a batch within the retry budget. */
export class EndpointUnreachable extends Schema.TaggedError<EndpointUnreachable>()("EndpointUnreachable", saidWithStatus) {}
/** The sync cannot run as written (a column the source lacks, a mapping that cannot compile). */
export class SpecInvalid extends Schema.TaggedError<SpecInvalid>()("SpecInvalid", said) {}
export class SourceFailed extends Schema.TaggedError<SourceFailed>()("SourceFailed", said) {}
/** The source is not the one the interrupted run read: resuming would skip the wrong rows. */
export class SourceChanged extends Schema.TaggedError<SourceChanged>()("SourceChanged", said) {}
export class CheckpointFailed extends Schema.TaggedError<CheckpointFailed>()("CheckpointFailed", said) {}
/** Stopped on request (a signal), gracefully or at once. */
export class Interrupted extends Schema.TaggedError<Interrupted>()("Interrupted", said) {}
export class RejectLimitExceeded extends Schema.TaggedError<RejectLimitExceeded>()("RejectLimitExceeded", said) {}
/** An incremental sync's guard refused the plan. */
export class GuardTripped extends Schema.TaggedError<GuardTripped>()("GuardTripped", said) {}
/** The state store (snapshots) failed. */
export class StateFailed extends Schema.TaggedError<StateFailed>()("StateFailed", said) {}
/** A bug: a defect, a throw where none was expected. */
export class InternalDefect extends Schema.TaggedError<InternalDefect>()("InternalDefect", said) {}
/** The books did not balance: rows or messages unaccounted for (a bug; exit code 10). */
export class BooksUnbalanced extends Schema.TaggedError<BooksUnbalanced>()("BooksUnbalanced", said) {}
/** An output (the rejects file, a checkpoint, the report) could not be written. */
export class OutputFailed extends Schema.TaggedError<OutputFailed>()("OutputFailed", said) {}

/** Every way a run can stop early. */
export type Fatal =
  | WriteKeyRefused
  | EndpointUnreachable
  | SpecInvalid
  | SourceFailed
  | SourceChanged
  | CheckpointFailed
  | Interrupted
  | RejectLimitExceeded
  | GuardTripped
  | StateFailed
  | InternalDefect
  | BooksUnbalanced
  | OutputFailed

/** The report's name for each cause: exhaustive both ways, so a new cause cannot miss its kind. */
const kindOfTag = {
  WriteKeyRefused: "auth",
  EndpointUnreachable: "unreachable",
  SpecInvalid: "spec",
  SourceFailed: "source",
  SourceChanged: "source-changed",
  CheckpointFailed: "checkpoint",
  Interrupted: "interrupted",
  RejectLimitExceeded: "max-rejects",
  GuardTripped: "guard",
  StateFailed: "state",
  InternalDefect: "internal",
  BooksUnbalanced: "unbalanced",
  OutputFailed: "output"
} as const satisfies { readonly [Tag in Fatal["_tag"]]: FatalError["kind"] }

const causeOfKind: { readonly [Kind in FatalError["kind"]]: (record: FatalError) => Fatal } = {
  auth: (record) => new WriteKeyRefused(withStatus(record)),
  unreachable: (record) => new EndpointUnreachable(withStatus(record)),
  spec: ({ message }) => new SpecInvalid({ message }),
  source: ({ message }) => new SourceFailed({ message }),
  "source-changed": ({ message }) => new SourceChanged({ message }),
  checkpoint: ({ message }) => new CheckpointFailed({ message }),
  interrupted: ({ message }) => new Interrupted({ message }),
  "max-rejects": ({ message }) => new RejectLimitExceeded({ message }),
  guard: ({ message }) => new GuardTripped({ message }),
  state: ({ message }) => new StateFailed({ message }),
  internal: ({ message }) => new InternalDefect({ message }),
  unbalanced: ({ message }) => new BooksUnbalanced({ message }),
  output: ({ message }) => new OutputFailed({ message })
}

const withStatus = ({ message, status }: FatalError) => (status === undefined ? { message } : { message, status })

/** The cause as the report writes it: `{ kind, message, status? }`. */
export const fatalRecord = (fatal: Fatal): FatalError => {
  const status = "status" in fatal ? fatal.status : undefined
  return { kind: kindOfTag[fatal._tag], message: fatal.message, ...(status === undefined ? {} : { status }) }
}

/** A report's record as the cause it names (for code that holds a report and goes on with it). */
export const fatalOfRecord = (record: FatalError): Fatal => causeOfKind[record.kind](record)

/** An unexpected error (a bug) as the fatal error of a run. */
export const internalDefect = (what: string, defect: unknown): InternalDefect =>
  new InternalDefect({ message: `${what}: ${oneLineError(defect)}` })
