import { readFile } from "node:fs/promises"
import { formatIssues } from "@tablecast/core"
import { ConfigError } from "./ConfigError.ts"
import { ConfigFile } from "./ConfigSchema.ts"

/** Reads and checks a config file; a ConfigError names the file and what is wrong with it. */
export const loadConfigFile = async (file: string): Promise<ConfigFile> => {
  let text: string
  try {
    text = await readFile(file, "utf8")
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new ConfigError({ message: `cannot read the config file ${file}${code === "ENOENT" ? ": no such file" : ` (${code})`}` })
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new ConfigError({ message: `the config file ${file} is not valid JSON: ${(error as Error).message}` })
  }
  const parsed = ConfigFile.safeParse(json)
  if (!parsed.success) throw new ConfigError({ message: `the config file ${file} is not valid:\n${formatIssues(parsed.error)}` })
  return parsed.data
}
