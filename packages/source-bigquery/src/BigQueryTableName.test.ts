import { describe, expect, it } from "vitest"
import { parseTableName, quoteTableName } from "./BigQueryTableName.ts"

describe("BigQuery table names", () => {
  it("reads two and three parts, with or without backquotes, and quotes each part", () => {
    expect(quoteTableName(parseTableName("scores.churn"))).toBe("`scores`.`churn`")
    expect(quoteTableName(parseTableName("`my-project.scores.churn`"))).toBe("`my-project`.`scores`.`churn`")
    expect(parseTableName("example.com:my-project.scores.churn")).toEqual({ project: "example.com:my-project", dataset: "scores", name: "churn" })
    expect(parseTableName("scores.`daily scores`").name).toBe("daily scores")
  })

  it("refuses what BigQuery would not name, saying which part", () => {
    expect(() => parseTableName("churn")).toThrow(/has no dataset/)
    expect(() => parseTableName("sco-res.churn")).toThrow(/dataset name .*"sco-res"/)
    expect(() => parseTableName("scores.churn;drop")).toThrow(/table name .*"churn;drop"/)
    expect(() => parseTableName("X.scores.churn")).toThrow(/project id .*"X"/)
  })
})
