import { closeSync, openSync, writeSync } from "node:fs"

/**
 * A large dbt manifest in the shape dbt writes (v12 by default): `models` models with their SQL,
 * ten documented columns and `unique`/`not_null` tests, as many macros with their SQL, docs,
 * sources and the parent and child maps — written a piece at a time, so that a 200 MB one is never
 * held in memory. Model i is `model.shop.model_i` in table `analytics.marts.model_i`; the one model
 * the tests look for, `churn.churn_scores`, sits in the middle, aliased, with a versioned twin.
 */
export interface LargeManifestOptions {
  readonly models: number
  readonly version?: string
  /** dbt writes `metadata` first; true writes it last, after everything else. */
  readonly metadataLast?: boolean
}

const sql = (i: number) =>
  `with orders as (\n  select customer_id, sum(amount) as total, count(*) as orders_count, max(ordered_at) as last_order\n  from {{ ref('stg_orders_${i}') }}\n  group by customer_id\n)\n${"select o.customer_id, o.total, o.orders_count, o.last_order, -- scored by the model\n".repeat(20)}from orders o`

const column = (name: string, i: number) => ({
  name,
  description: `The ${name} of the customer as of the last run of model ${i}; documented in schema.yml with its caveats and its source.`,
  meta: {},
  data_type: name === "customer_id" ? "varchar" : "numeric(18,6)",
  constraints: [],
  quote: null,
  tags: []
})

const model = (id: string, name: string, i: number, extra: Record<string, unknown> = {}) => ({
  database: "analytics",
  schema: "marts",
  name,
  resource_type: "model",
  package_name: id.split(".")[1],
  path: `marts/${name}.sql`,
  original_file_path: `models/marts/${name}.sql`,
  unique_id: id,
  fqn: [id.split(".")[1], "marts", name],
  alias: name,
  checksum: { name: "sha256", checksum: "0".repeat(64) },
  config: {
    enabled: true,
    materialized: "table",
    tags: [],
    meta: {},
    persist_docs: {},
    quoting: {},
    column_types: {},
    grants: {},
    docs: { show: true }
  },
  tags: [],
  description: `Model ${i}: customer scores recomputed nightly.`,
  columns: Object.fromEntries(
    ["customer_id", "score", "total", "orders_count", "churn_risk", "ltv", "segment", "rank", "region", "tier"].map((c) => [c, column(c, i)])
  ),
  meta: {},
  docs: { show: true, node_color: null },
  patch_path: `${id.split(".")[1]}://models/marts/schema.yml`,
  unrendered_config: { materialized: "table" },
  created_at: 1765100000.0,
  relation_name: `"analytics"."marts"."${name}"`,
  raw_code: sql(i),
  compiled_code: sql(i).replaceAll("{{ ref('", '"analytics"."staging"."').replaceAll("') }}", '"'),
  language: "sql",
  refs: [{ name: `stg_orders_${i}`, package: null, version: null }],
  sources: [],
  depends_on: { macros: ["macro.dbt.run_query"], nodes: [`model.shop.stg_orders_${i}`] },
  contract: { enforced: false, alias_types: true, checksum: null },
  access: "protected",
  constraints: [],
  version: null,
  latest_version: null,
  ...extra
})

const test = (kind: "unique" | "not_null", modelId: string, columnName: string) => ({
  database: "analytics",
  schema: "marts_dbt_test__audit",
  name: `${kind}_${modelId.split(".")[2]}_${columnName}`,
  resource_type: "test",
  package_name: modelId.split(".")[1],
  unique_id: `test.${modelId.split(".")[1]}.${kind}_${modelId.split(".")[2]}_${columnName}.abc123`,
  config: { enabled: true, severity: "ERROR", store_failures: null },
  raw_code: `{{ test_${kind}(**_dbt_generic_test_kwargs) }}`,
  test_metadata: {
    name: kind,
    kwargs: { column_name: columnName, model: `{{ get_where_subquery(ref('${modelId.split(".")[2]}')) }}` },
    namespace: null
  },
  column_name: columnName,
  attached_node: modelId,
  depends_on: { macros: [`macro.dbt.test_${kind}`], nodes: [modelId] }
})

const metadata = (version: string) => ({
  dbt_schema_version: `https://schemas.getdbt.com/dbt/manifest/${version}.json`,
  dbt_version: "1.8.7",
  generated_at: "2026-12-07T12:00:00.000000Z",
  invocation_id: "5a0b1e2c-0000-4000-8000-000000000000",
  env: {},
  project_name: "shop",
  adapter_type: "postgres"
})

/** Writes the manifest to `file`; returns nothing it wrote (the file is the result). */
export const writeLargeManifest = (file: string, options: LargeManifestOptions): void => {
  const fd = openSync(file, "w")
  const put = (text: string) => writeSync(fd, text)
  const version = options.version ?? "v12"
  try {
    put("{")
    if (options.metadataLast !== true) put(`"metadata": ${JSON.stringify(metadata(version))},`)
    put('"nodes": {')
    const middle = Math.floor(options.models / 2)
    for (let i = 0; i < options.models; i++) {
      const id = `model.shop.model_${i}`
      put(`${i === 0 ? "" : ","}${JSON.stringify(id)}: ${JSON.stringify(model(id, `model_${i}`, i))}`)
      for (const kind of ["unique", "not_null"] as const) {
        const t = test(kind, id, "customer_id")
        put(`,${JSON.stringify(t.unique_id)}: ${JSON.stringify(t)}`)
      }
      if (i === middle) {
        const churn = model("model.churn.churn_scores", "churn_scores", i, {
          alias: "churn_scores_v2",
          relation_name: '"analytics"."marts"."churn_scores_v2"'
        })
        churn.columns = {
          customer_id: column("customer_id", i),
          churn_score: { ...column("churn_score", i), description: "Probability of churn in the next 30 days." }
        }
        put(`,"model.churn.churn_scores": ${JSON.stringify(churn)}`)
        const unique = test("unique", "model.churn.churn_scores", "customer_id")
        put(`,${JSON.stringify(unique.unique_id)}: ${JSON.stringify(unique)}`)
        const notNull = test("not_null", "model.churn.churn_scores", "customer_id")
        put(`,${JSON.stringify(notNull.unique_id)}: ${JSON.stringify(notNull)}`)
        // A seed: not a model, left out.
        put(`,"seed.churn.churn_scores": ${JSON.stringify({ ...model("seed.churn.churn_scores", "churn_scores", i), resource_type: "seed" })}`)
      }
    }
    put('},"sources": {')
    for (let i = 0; i < options.models; i++) {
      put(
        `${i === 0 ? "" : ","}"source.shop.raw.orders_${i}": ${JSON.stringify({ name: `orders_${i}`, resource_type: "source", schema: "raw", description: "Orders as loaded.", columns: {} })}`
      )
    }
    put('},"macros": {')
    for (let i = 0; i < options.models; i++) {
      put(
        `${i === 0 ? "" : ","}"macro.shop.helper_${i}": ${JSON.stringify({ name: `helper_${i}`, resource_type: "macro", macro_sql: `{% macro helper_${i}(x) %}\n${"  {{ return(adapter.dispatch('helper')(x)) }}\n".repeat(30)}{% endmacro %}`, depends_on: { macros: [] } })}`
      )
    }
    put('},"docs": {},"exposures": {},"metrics": {},"groups": {},"selectors": {},"disabled": {},"parent_map": {')
    for (let i = 0; i < options.models; i++) put(`${i === 0 ? "" : ","}"model.shop.model_${i}": ["model.shop.stg_orders_${i}"]`)
    put('},"child_map": {')
    for (let i = 0; i < options.models; i++)
      put(
        `${i === 0 ? "" : ","}"model.shop.model_${i}": ["test.shop.unique_model_${i}_customer_id.abc123", "test.shop.not_null_model_${i}_customer_id.abc123"]`
      )
    put('},"group_map": {},"saved_queries": {},"semantic_models": {}')
    if (options.metadataLast === true) put(`,"metadata": ${JSON.stringify(metadata(version))}`)
    put("}")
  } finally {
    closeSync(fd)
  }
}
