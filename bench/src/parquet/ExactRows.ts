/**
 * The rows of the exactness run, by formula of their index i: DuckDB writes them into a Parquet
 * file (`exactRowsSql`) and the check computes what each message must carry (`expectedProperties`)
 * from i alone, without DuckDB or tablecast's conversions.
 */

const EPOCH_MICROS = 1_704_067_200_000_000n // 2024-01-01T00:00:00Z
const DAY_MILLIS = 86_400_000
const SEGMENTS = 5

/** The Parquet file's query: one row per i in [0, rows), every type the DuckDB source converts. */
export const exactRowsSql = (rows: number): string => `
  SELECT
    'c' || i AS customer_id,
    CAST(CAST((i * 7919) % 10000000 AS DECIMAL(12,0)) * 0.01 AS DECIMAL(12,2)) AS amount,
    CAST(CAST(i * 104729 AS DECIMAL(18,0)) * 0.000001 AS DECIMAL(18,6)) AS precise,
    (i % 1000) / 1000.0 :: DOUBLE AS score,
    CAST(i * 1000003 AS BIGINT) AS visits,
    make_timestamp(${EPOCH_MICROS} + i * 1000000 + (i % 1000000)) :: TIMESTAMPTZ AS seen_at,
    DATE '2024-01-01' + CAST(i % 365 AS INTEGER) AS day,
    [CAST(i % 7 AS INTEGER), CAST(i % 11 AS INTEGER)] AS tags,
    {'segment': 'seg' || (i % ${SEGMENTS}), 'rank': CAST(i % 100 AS INTEGER)} AS info
  FROM range(${rows}) AS t(i)`

const decimalText = (units: number, scale: number): string => {
  const digits = String(units).padStart(scale + 1, "0")
  return `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`
}

const isoMicros = (micros: bigint): string => {
  const seconds = micros / 1_000_000n
  const fraction = String(micros % 1_000_000n)
    .padStart(6, "0")
    .replace(/0+$/, "")
    .padEnd(3, "0")
  return `${new Date(Number(seconds) * 1000).toISOString().slice(0, 19)}.${fraction}Z`
}

/** The properties row i's message must carry, in column order. */
export const expectedProperties = (i: number): Record<string, unknown> => ({
  amount: Number(decimalText((i * 7919) % 10_000_000, 2)),
  precise: Number(decimalText(i * 104_729, 6)),
  score: (i % 1000) / 1000,
  visits: i * 1_000_003,
  seen_at: isoMicros(EPOCH_MICROS + BigInt(i) * 1_000_000n + BigInt(i % 1_000_000)),
  day: new Date(Date.UTC(2024, 0, 1) + (i % 365) * DAY_MILLIS).toISOString().slice(0, 10),
  tags: [i % 7, i % 11],
  info: { segment: `seg${i % SEGMENTS}`, rank: i % 100 }
})
