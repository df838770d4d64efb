// Preloaded into every measured process (`node --import …/UsageReporter.js`): on exit it writes the
// process's peak resident set size and CPU time to the file named by BENCH_USAGE_FILE. Node does not
// give a parent its child's rusage, and sampling /proc from outside would miss short peaks. It also
// writes them once a second, so that a process killed at the scenario's time limit leaves figures
// (the peak is the kernel's, so it is exact to that second).
import { writeFileSync } from "node:fs"

const file = process.env["BENCH_USAGE_FILE"]
if (file !== undefined && file !== "") {
  const write = () => {
    const usage = process.resourceUsage()
    writeFileSync(
      file,
      JSON.stringify({
        // resourceUsage reports kilobytes (Linux's ru_maxrss).
        peakRssBytes: usage.maxRSS * 1024,
        cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6
      })
    )
  }
  setInterval(write, 1000).unref()
  process.on("exit", write)
}
