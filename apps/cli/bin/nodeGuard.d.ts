export declare const MINIMUM_NODE: string
export declare const NODE_UNSUPPORTED_EXIT_CODE: 12
export declare const isSupportedNode: (version: string) => boolean
export declare const wantsJson: (args: ReadonlyArray<string>) => boolean
export declare const nodeUnsupportedLine: (running: string, json: boolean) => string
export declare const exitUnlessNodeSupported: () => void
