// Preloaded into every measured process (`node --import …/UsageReporter.js`): on exit it writes the
// process's peak resident set size and CPU time to the file named by BENCH_USAGE_FILE. Node does not
// give a parent its child's rusage, and sampling /proc from outside would miss short peaks.
import { writeFileSync } from "node:fs"

const file = process.env["BENCH_USAGE_FILE"]
if (file !== undefined && file !== "") {
  process.on("exit", () => {
    const usage = process.resourceUsage()
    writeFileSync(
      file,
      JSON.stringify({
        // resourceUsage reports kilobytes (Linux's ru_maxrss).
        peakRssBytes: usage.maxRSS * 1024,
        cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6
      })
    )
  })
}
