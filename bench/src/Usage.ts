/** What the usage reporter writes for a measured process. */
export interface ProcessUsage {
  readonly peakRssBytes: number
  readonly cpuSeconds: number
}
