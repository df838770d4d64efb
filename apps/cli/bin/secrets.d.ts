export declare const SECRET_FLAGS: ReadonlyArray<string>
export declare const urlPassword: (text: string) => string | undefined
export declare const secretsOf: (args: ReadonlyArray<string>, env: Readonly<Record<string, string | undefined>>) => Array<string>
export declare const redactText: (text: string, secrets: ReadonlyArray<string>) => string
export declare const redactValue: (value: unknown, secrets: ReadonlyArray<string>) => unknown
export declare const redactDebugOutput: (
  resolveFrom: string,
  args: ReadonlyArray<string>,
  env: Readonly<Record<string, string | undefined>>
) => boolean
