// Every command, by id: oclif's "explicit" command discovery reads this export from the bundle
// (dist/tablecast.js), so that one file holds the whole CLI (scripts/bundle.js).
import HelpCommand from "./commands/help.ts"
import InspectCommand from "./commands/inspect.ts"
import PlanCommand from "./commands/plan.ts"
import PreviewCommand from "./commands/preview.ts"
import RunsCommand from "./commands/runs.ts"
import RunsShowCommand from "./commands/runsShow.ts"
import SinkCommand from "./commands/sink.ts"
import SyncCommand from "./commands/sync.ts"
import TrackingPlanCommand from "./commands/trackingPlan.ts"

export const COMMANDS = {
  help: HelpCommand,
  inspect: InspectCommand,
  plan: PlanCommand,
  preview: PreviewCommand,
  runs: RunsCommand,
  "runs:show": RunsShowCommand,
  sink: SinkCommand,
  sync: SyncCommand,
  "tracking-plan": TrackingPlanCommand
}

export { commandNotFound } from "./CommandNotFound.ts"
export { TablecastHelp } from "./TablecastHelp.ts"
