// @tablecast/source-databricks as published: its driver (@databricks/sql, from the registry)
// installed by npm and loadable, and a source without credentials refused before any connection,
// naming the variables to set. (Reading rows needs a warehouse: the repository's tests run the
// driver against packages/databricks-test-server, which is not published.) Exits 0 when both
// hold, 1 with a message otherwise.
import * as DatabricksSource from "@tablecast/source-databricks"
import { Effect, Exit, Layer } from "effect"

const problems = []
const driver = await DatabricksSource.loadDriver()
if (typeof driver.DBSQLClient !== "function") problems.push("@databricks/sql loaded without a DBSQLClient")

const env = { DATABRICKS_HOST: "127.0.0.1", DATABRICKS_HTTP_PATH: "/sql/1.0/warehouses/check" }
const exit = await Effect.runPromiseExit(Layer.build(DatabricksSource.layer({ table: "main.scores.churn", port: 9 }, env)).pipe(Effect.scoped))
if (Exit.isSuccess(exit)) problems.push("a source without credentials was built")
else if (!String(exit.cause).includes("DATABRICKS_TOKEN")) problems.push(`the refusal does not name DATABRICKS_TOKEN: ${String(exit.cause)}`)

if (problems.length > 0) {
  console.error(`library-databricks: ${problems.join("; ")}`)
  process.exitCode = 1
} else {
  console.log("library-databricks: the driver loads, and a source without credentials is refused naming DATABRICKS_TOKEN")
}
