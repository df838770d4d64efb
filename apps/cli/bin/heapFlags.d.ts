export declare const wantsLowMemory: (args: ReadonlyArray<string>) => boolean
export declare const heapFlags: (input: {
  readonly args: ReadonlyArray<string>
  readonly env: Readonly<Record<string, string | undefined>>
  readonly execArgv: ReadonlyArray<string>
  readonly v8Major: number
}) => Array<string>
