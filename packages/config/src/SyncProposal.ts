import type { ColumnType, SyncSpecInput } from "@tablecast/core"

/** What the proposal reads of a column; a source's inspection (its ColumnSummary) holds this and more. */
export interface ColumnFacts {
  readonly name: string
  /** The type as the source writes it; `text` for a file's columns. */
  readonly sourceType: string
  /** What its values become in JSON: string, number, decimal, boolean, timestamp, date, json, array, binary. */
  readonly kind: string
  readonly nullable: boolean | undefined
  readonly unique: boolean | undefined
  /** A file's value that does not fit the type its first rows decide. */
  readonly misfit?: { readonly row: number }
  /** What the model's own project says of the column (dbt's tests and constraints, its description). */
  readonly declared?: {
    readonly by: string
    readonly unique: boolean
    readonly notNull: boolean
    readonly description: string | undefined
  }
}

/** What the proposal reads of a table: its columns (a source's SourceDescription fits). */
export interface TableFacts {
  readonly columns: ReadonlyArray<ColumnFacts>
}

/** A proposed sync, with the reasons for its choices, to review before it is written down. */
export interface SyncProposal {
  readonly spec: SyncSpecInput
  readonly notes: ReadonlyArray<string>
}

const ID_NAME = /^(?:(?:user|customer|client|account|member|contact|person|profile|subscriber)_?id|id|userid|uid)$/i
const ID_LIKE = /(?:^|_)(?:id|uid|uuid|key)$/i
const ANONYMOUS_NAME = /^(?:anonymous_?id|anon_?id|device_?id|cookie_?id)$/i
// The id of an account-like table: one row per account, company, organization or group.
const GROUP_NAME = /^(?:account|company|org|organization|organisation|group|workspace|tenant)_?id$/i
const MEMBER_NAME = /^(?:(?:user|customer|member|contact|person|owner|admin)_?id|userid|uid)$/i
// A column of the account rather than of its member: an account-like prefix (account_tier,
// company_size, org_plan) or one of Segment's reserved group traits that only an account has.
const ACCOUNT_COLUMN = /^(?:(?:account|company|org|organization|organisation|workspace|tenant)_.|(?:industry|employees|employee_count)$)/i
// A column of the member in a table of accounts: owner_email, user_name, contact_phone.
const MEMBER_COLUMN = /^(?:user|customer|member|contact|person|owner|admin)_./i
const TIME_NAME = /(?:_at|_time|_ts|timestamp|_date|^date|^time)$/i

// A description that says the column identifies a customer ("The customer's id", "one row per user").
const ID_DESCRIPTION =
  /\b(?:customer|user|client|account|member|contact|person|subscriber)(?:'s)?[ _-]?(?:id|identifier|key|number)\b|\bone row per\b/i

const score = (column: ColumnFacts): number => {
  let points = 0
  if (ID_NAME.test(column.name)) points += 4
  else if (ID_LIKE.test(column.name)) points += 2
  // Tested unique by the project that built the table: true of every row, not only of those seen.
  if (column.declared?.unique === true) points += 4
  if (column.declared?.notNull === true) points += 1
  if (column.declared?.description !== undefined && ID_DESCRIPTION.test(column.declared.description)) points += 1
  if (column.unique === true) points += 3
  // A warehouse's "no unique index" is no evidence against a column its project tests unique.
  if (column.unique === false && column.declared?.unique !== true) points -= 10
  if (column.nullable === false) points += 1
  if (column.kind === "string" || column.kind === "number" || column.kind === "decimal") points += 1
  else points -= 10
  return points
}

const typeOf = (column: ColumnFacts): ColumnType | undefined => {
  switch (column.kind) {
    case "number":
      return "number"
    case "boolean":
      return "boolean"
    case "timestamp":
    case "date":
      return "timestamp"
    case "json":
    case "array":
      return "json"
    default:
      return undefined
  }
}

const titleCase = (name: string) =>
  name
    .replace(/\.[^.]+$/, "")
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word !== "")
    .map((word) => word[0]!.toUpperCase() + word.slice(1).toLowerCase())
    .join(" ")

/**
 * Proposes a sync for a table: the likely customer-id column (unique, non-null, id-like name), a
 * timestamp column if there is one, and every other column as a property with its type. A
 * proposal, not a decision: `inspect` prints it and can write it to a config file to edit.
 */
/** A unique, never-empty column with an account-like name: the table holds accounts, sent as group calls. */
const groupIdColumn = (columns: ReadonlyArray<ColumnFacts>): ColumnFacts | undefined =>
  columns.find(
    (column) =>
      GROUP_NAME.test(column.name) &&
      (column.kind === "string" || column.kind === "number" || column.kind === "decimal") &&
      (column.unique === true || column.declared?.unique === true) &&
      (column.nullable === false || column.declared?.notNull === true)
  )

/** The member a group call ties to the account: an id-like column; an account's owner need not be unique. */
const memberColumn = (columns: ReadonlyArray<ColumnFacts>, group: ColumnFacts): ColumnFacts | undefined => {
  const points = (column: ColumnFacts) =>
    (MEMBER_NAME.test(column.name) ? 4 : ID_LIKE.test(column.name) ? 2 : 0) +
    (column.nullable === false ? 1 : 0) -
    (column.kind === "string" || column.kind === "number" ? 0 : 10)
  const ranked = columns.filter((column) => column !== group && !ANONYMOUS_NAME.test(column.name)).sort((a, b) => points(b) - points(a))
  return ranked[0] !== undefined && points(ranked[0]) >= 3 ? ranked[0] : undefined
}

/** The account's id in a table of members (seats): repeated (one row per member), never empty. */
const seatGroupColumn = (columns: ReadonlyArray<ColumnFacts>, customerId: ColumnFacts | undefined): ColumnFacts | undefined =>
  customerId === undefined
    ? undefined
    : columns.find(
        (column) =>
          column !== customerId &&
          GROUP_NAME.test(column.name) &&
          (column.kind === "string" || column.kind === "number" || column.kind === "decimal") &&
          (column.nullable === false || column.declared?.notNull === true)
      )

/**
 * Splits a row's columns between the user's identify traits and the account's group traits, when
 * their names tell: undefined when one side would be empty (nothing to split).
 */
const splitTraits = (
  properties: ReadonlyArray<ColumnFacts>,
  ofAccount: (column: ColumnFacts) => boolean
): { readonly traits: Array<string>; readonly groupTraits: Array<string> } | undefined => {
  const groupTraits = properties.filter(ofAccount).map((column) => column.name)
  const traits = properties.filter((column) => !ofAccount(column)).map((column) => column.name)
  return groupTraits.length === 0 || traits.length === 0 ? undefined : { traits, groupTraits }
}

/**
 * identify,group for a table that holds both a user's and an account's columns: a table of
 * accounts with its owner's columns (owner_email), or a table of members with their account's
 * (account_tier). Undefined when the names do not tell the two apart.
 */
const identifyAndGroup = (
  description: TableFacts,
  group: ColumnFacts | undefined,
  customerId: ColumnFacts | undefined,
  properties: ReadonlyArray<ColumnFacts>,
  notes: Array<string>
): { readonly groupId: string; readonly traits: Array<string>; readonly groupTraits: Array<string> } | undefined => {
  if (customerId === undefined) return undefined
  if (group !== undefined) {
    const split = splitTraits(properties, (column) => !MEMBER_COLUMN.test(column.name))
    if (split === undefined) return undefined
    notes.push(
      `traits ${split.traits.map((name) => `"${name}"`).join(", ")}: the member's, sent by an identify; the others are the account's group traits`
    )
    return { groupId: group.name, ...split }
  }
  const seatGroup = seatGroupColumn(description.columns, customerId)
  if (seatGroup === undefined) return undefined
  const split = splitTraits(
    properties.filter((column) => column !== seatGroup),
    (column) => ACCOUNT_COLUMN.test(column.name)
  )
  if (split === undefined) return undefined
  notes.push(
    `groupId "${seatGroup.name}": the account of each member, never empty; group traits ${split.groupTraits.map((name) => `"${name}"`).join(", ")} (account-like names), the others identify traits`
  )
  return { groupId: seatGroup.name, ...split }
}

export const proposeSync = <Table extends TableFacts>(description: Table, tableName: string): SyncProposal => {
  const notes: Array<string> = []
  const group = groupIdColumn(description.columns)
  const ranked = [...description.columns].sort((a, b) => score(b) - score(a))
  const best = ranked[0]
  const customerId = group !== undefined ? memberColumn(description.columns, group) : best !== undefined && score(best) >= 3 ? best : undefined
  if (group !== undefined) {
    notes.push(`groupId "${group.name}": an account-like name, unique and never empty: one group call per account, its other columns as traits`)
    notes.push(
      customerId === undefined
        ? "no column looks like a member's id: set customerId (or anonymousId), the user each group call ties to the account"
        : `customerId "${customerId.name}": the member each group call ties to the account`
    )
  } else if (customerId === undefined) notes.push("no column looks like a customer id: set customerId (or anonymousId) by hand")
  else {
    const declared = customerId.declared
    const tested = [declared?.unique === true ? "unique" : undefined, declared?.notNull === true ? "not_null" : undefined].filter(
      (test) => test !== undefined
    )
    const facts = [
      ID_NAME.test(customerId.name) || ID_LIKE.test(customerId.name) ? "an id-like name" : undefined,
      tested.length === 0 ? undefined : `tested ${tested.join(" and ")} by ${declared!.by}`,
      declared?.description === undefined ? undefined : `documented as ${JSON.stringify(declared.description)}`,
      customerId.unique === true ? "unique in the rows seen" : customerId.unique === undefined ? "uniqueness unknown" : undefined,
      customerId.nullable === false ? "never empty" : customerId.nullable === true ? "some values empty (those rows will be rejected)" : undefined
    ].filter((fact) => fact !== undefined)
    notes.push(`customerId "${customerId.name}": ${facts.join(", ")}`)
  }
  const anonymous = description.columns.find((column) => column !== customerId && ANONYMOUS_NAME.test(column.name))
  const timestamp =
    description.columns.find(
      (column) => column !== customerId && (column.kind === "timestamp" || column.kind === "date") && TIME_NAME.test(column.name)
    ) ?? description.columns.find((column) => column !== customerId && (column.kind === "timestamp" || column.kind === "date"))
  if (timestamp !== undefined) notes.push(`timestamp "${timestamp.name}": the row's own time`)
  const binary = description.columns.filter((column) => column.kind === "binary")
  if (binary.length > 0)
    notes.push(`left out binary columns ${binary.map((c) => `"${c.name}"`).join(", ")} (map them with the source's binary option to send them)`)
  const taken = new Set([customerId?.name, anonymous?.name, timestamp?.name, group?.name])
  const properties = description.columns.filter((column) => !taken.has(column.name) && column.kind !== "binary")
  const columns: Record<string, ColumnType> = {}
  for (const column of properties) {
    const type = typeOf(column)
    // A warehouse already sends typed values; a file's text needs its types declared.
    if (type !== undefined && column.sourceType === "text") columns[column.name] = type
    // `auto` would decide a number from the first rows and reject a later row that is not one.
    if (column.misfit !== undefined && columns[column.name] === undefined) {
      columns[column.name] = "string"
      notes.push(`column "${column.name}": declared string, since row ${column.misfit.row} does not fit the number its first rows decide`)
    }
  }
  if (customerId !== undefined && customerId.sourceType === "text") columns[customerId.name] = "string"
  if (group !== undefined && group.sourceType === "text") columns[group.name] = "string"
  const mapping = {
    ...(customerId === undefined ? {} : { customerId: customerId.name }),
    ...(anonymous === undefined ? {} : { anonymousId: anonymous.name }),
    ...(timestamp === undefined ? {} : { timestamp: timestamp.name }),
    ...(Object.keys(columns).length === 0 ? {} : { columns })
  }
  const both = identifyAndGroup(description, group, customerId, properties, notes)
  if (both !== undefined) {
    const groupColumn = description.columns.find((column) => column.name === both.groupId)!
    const withGroup = groupColumn.sourceType === "text" ? { ...mapping, columns: { ...columns, [groupColumn.name]: "string" as const } } : mapping
    return { spec: { type: "identify,group", ...both, ...withGroup }, notes }
  }
  if (group !== undefined) {
    return { spec: { type: "group", groupId: group.name, traits: properties.map((column) => column.name), ...mapping }, notes }
  }
  const event =
    titleCase(
      tableName
        .replace(/\.(?:csv|tsv|txt)$/i, "")
        .split(".")
        .pop() ?? tableName
    ) || "Model Output"
  notes.push(`event "${event}": from the table's name; rename it to what the model predicts (e.g. "Churn Prediction")`)
  const spec: SyncSpecInput = {
    type: "track",
    event,
    ...(customerId === undefined ? {} : { customerId: customerId.name }),
    ...(anonymous === undefined ? {} : { anonymousId: anonymous.name }),
    properties: properties.map((column) => column.name),
    ...(timestamp === undefined ? {} : { timestamp: timestamp.name }),
    ...(Object.keys(columns).length === 0 ? {} : { columns })
  }
  return { spec, notes }
}
