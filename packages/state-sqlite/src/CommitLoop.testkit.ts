/**
 * A child process for the crash-safety and locking tests (run by Node with type stripping):
 *   commits <file> <sync> <first> <keys>  commit batches of <keys> keys from batch <first>,
 *                                         printing "committed <n>" after each
 *   hold <file> <sync>                    open the sync, print "holding", and wait to be killed
 */
import * as Effect from "effect/Effect"
import { sqliteSnapshotStore } from "./SqliteSnapshotStore.ts"

const [mode, file, sync, first, keysPerBatch] = process.argv.slice(2)
const BATCH_KEYS = Number(keysPerBatch ?? 50)
if (file === undefined || sync === undefined) throw new Error("usage: commits|hold <file> <sync>")
const store = sqliteSnapshotStore(file)

const program = Effect.scoped(
  Effect.gen(function* () {
    const run = yield* store.open(sync)
    if (mode === "hold") {
      process.stdout.write("holding\n")
      return yield* Effect.never
    }
    for (let batch = Number(first ?? 0); ; batch++) {
      const changes = Array.from({ length: BATCH_KEYS }, (_, i) => ({
        rowNumber: batch * BATCH_KEYS + i + 1,
        kind: "added" as const,
        entry: { key: JSON.stringify([`b${batch}`, i]), fingerprint: `batch-${batch}`, values: JSON.stringify({ batch, i }) },
        user: `u${batch}-${i}`,
        messages: []
      }))
      // The counter key says which batch committed last: a prefix of the batches must agree with it.
      changes.push({
        rowNumber: 0,
        kind: "added",
        entry: { key: JSON.stringify(["counter"]), fingerprint: String(batch), values: "{}" },
        user: "counter",
        messages: []
      })
      yield* run.commit(changes)
      process.stdout.write(`committed ${batch}\n`)
    }
  })
)

Effect.runPromise(program).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`)
  process.exit(1)
})
