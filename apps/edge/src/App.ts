import * as Redacted from "effect/Redacted"
import { type Context, type ErrorHandler, Hono, type MiddlewareHandler } from "hono"
import { bearerAuth } from "hono/bearer-auth"
import { cors } from "hono/cors"
import { HTTPException } from "hono/http-exception"
import { requestId } from "hono/request-id"
import { routePath } from "hono/route"
import { timingSafeEqual } from "hono/utils/buffer"
import { EdgeConfig, EdgeConfigError } from "./EdgeConfig.ts"
import type { EdgePlatform } from "./EdgePlatform.ts"
import { answerOfError, isEdgeError } from "./ErrorAnswer.ts"
import { makeLogger } from "./Log.ts"
import { RequestError } from "./RequestError.ts"
import { OptionsHeader, SpecHeader, strictQueryParameter, WriteKeyHeader } from "./RunRequest.ts"
import { parseRunPage } from "./history/RunPageQuery.ts"
import type { AppEnv } from "./AppEnv.ts"
import { NotifyHeader } from "./notify/EdgeNotify.ts"
import { postRun } from "./RunHandler.ts"
import { PROMETHEUS_CONTENT_TYPE } from "./telemetry/EdgeMetrics.ts"

export type { AppEnv, EdgeVariables } from "./AppEnv.ts"

const RunIdPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** Reads the configuration; a deployment misconfigured refuses every request with 503. */
const loadConfig: MiddlewareHandler<AppEnv> = async (c, next) => {
  let config: EdgeConfig
  try {
    config = EdgeConfig.fromEnv((c.env ?? {}) as object)
  } catch (error) {
    // The message names the variables at fault, never their values; `answerError` answers 503.
    if (error instanceof EdgeConfigError) {
      makeLogger("error").error("config.invalid", { requestId: c.get("requestId"), message: error.message })
    }
    throw error
  }
  c.set("config", config)
  c.set("log", makeLogger(config.logLevel))
  await next()
}

/** CORS only when origins are configured: by default a browser page cannot call the edge. */
const corsFromConfig: MiddlewareHandler<AppEnv> = async (c, next) => {
  const origins = c.get("config").corsOrigins
  if (origins.length === 0) return next()
  return cors({
    origin: [...origins],
    allowMethods: ["GET", "POST", "OPTIONS"],
    allowHeaders: ["Authorization", "Content-Type", WriteKeyHeader, SpecHeader, OptionsHeader, NotifyHeader],
    exposeHeaders: ["Location", "Retry-After", "X-Request-Id", "X-Tablecast-Outcome"],
    maxAge: 600
  })(c, next)
}

const requireToken = bearerAuth({
  verifyToken: async (token, c) => {
    const expected = (c as Context<AppEnv>).get("config").token
    // Hashes both sides first, so neither content nor length leaks through timing.
    return expected !== undefined && (await timingSafeEqual(Redacted.value(expected), token))
  },
  noAuthenticationHeader: { message: { error: "unauthorized", message: "send Authorization: Bearer <token>" } },
  invalidToken: { message: { error: "unauthorized", message: "the bearer token is not valid" } },
  invalidAuthenticationHeader: {
    message: { error: "bad-request", message: "the Authorization header must be: Bearer <token>" }
  }
})

/** Every /v1 route needs the bearer token; without a token secret the deployment serves no one. */
const tokenGate: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.get("config").token === undefined) {
    // Fail closed: a deployment without its token secret serves no one.
    c.get("log").error("config.no-token", { requestId: c.get("requestId") })
    throw new RequestError({ status: 503, message: "this deployment has no TABLECAST_TOKEN secret; set one" })
  }
  return requireToken(c as unknown as Context, next)
}

/** Answers an error: the edge's own by `ErrorAnswer`, anything else as 500 naming only the error. */
const answerError: ErrorHandler<AppEnv> = (error, c) => {
  if (isEdgeError(error)) {
    const answer = answerOfError(error)
    if (answer.retryAfterSeconds !== undefined) c.header("Retry-After", String(answer.retryAfterSeconds))
    return c.json(answer.body, answer.status)
  }
  if (error instanceof HTTPException) return error.getResponse()
  const log = c.get("log") ?? makeLogger("error")
  // Only the error's name: a message from a library could quote request data.
  log.error("request.failed", { requestId: c.get("requestId"), error: error.name })
  return c.json({ error: "internal", message: "the run could not be carried out", requestId: c.get("requestId") }, 500)
}

/**
 * The edge's HTTP API, the same on Workers and on Node:
 * - `GET /health` (no token);
 * - `POST /v1/runs`: a run, JSON or CSV; answered with the delivery report, or 202 when queued;
 * - `GET /v1/runs`: the run history, newest first, a page at a time (Workers);
 * - `GET /v1/runs/:runId`: a queued run's progress and outcome;
 * - `GET /metrics` (token), where the platform keeps metrics (Node): the Prometheus text.
 */
export const createApp = <Bindings extends object>(platform: EdgePlatform<Bindings>) => {
  // Typed over `object` inside: Hono's types do not carry a generic Bindings through middleware.
  const app = new Hono<AppEnv>()
  const bindings = (c: Context<AppEnv>): Bindings => c.env as Bindings
  /** Run requests in progress in this isolate or process. */
  let activeRuns = 0

  app.use("*", requestId())
  app.use("*", loadConfig)
  app.use("*", corsFromConfig)

  const metrics = platform.metrics
  if (metrics !== undefined) {
    // Counted once answered; the route is the pattern that matched (bounded), never the path as sent.
    app.use("*", async (c, next) => {
      await next()
      metrics.httpRequest(c.req.method, routePath(c, -1), c.res.status)
    })
  }

  app.get("/health", (c) => c.json({ status: "ok", service: "tablecast-edge", runtime: platform.runtime }))

  if (metrics !== undefined) {
    app.use("/metrics", tokenGate)
    app.get("/metrics", async (c) => c.body(await metrics.text(), 200, { "content-type": PROMETHEUS_CONTENT_TYPE }))
  }

  app.use("/v1/*", tokenGate)

  app.post("/v1/runs", async (c, next) => {
    const limits = c.get("config").limits
    if (activeRuns >= limits.MAX_CONCURRENT_RUNS) {
      throw new RequestError({
        status: 429,
        message: `${activeRuns} runs are in progress here, the most allowed; retry later`,
        retryAfterSeconds: 2
      })
    }
    const wait = platform.admit === undefined ? undefined : await platform.admit(bindings(c))
    if (wait !== undefined) throw new RequestError({ status: 429, message: "too many runs in this period; retry later", retryAfterSeconds: wait })
    activeRuns++
    platform.metrics?.runsInProgress(activeRuns)
    try {
      await next()
    } finally {
      activeRuns--
      platform.metrics?.runsInProgress(activeRuns)
    }
  })

  app.post("/v1/runs", postRun(platform))

  app.get("/v1/runs", async (c) => {
    const history = platform.runHistory?.(bindings(c), c.get("config"))
    if (history === undefined) {
      throw new RequestError({ status: 404, message: "this deployment keeps no run history (it needs Cloudflare Durable Objects)" })
    }
    const page = parseRunPage((name) => strictQueryParameter(c.req.url, name))
    return c.json(await history.list(page))
  })

  app.get("/v1/runs/:runId", async (c) => {
    const runId = c.req.param("runId")
    if (!RunIdPattern.test(runId)) throw new RequestError({ status: 404, field: "runId", message: "no such run" })
    const queued = platform.queuedRuns?.(bindings(c), c.get("config"))
    const status = queued === undefined ? undefined : await queued.status(runId)
    if (status === undefined) throw new RequestError({ status: 404, field: "runId", message: "no such run (or its status has expired)" })
    c.header("X-Tablecast-Outcome", status.outcome ?? "running")
    return c.json(status)
  })

  app.notFound((c) => c.json({ error: "not-found", message: `no route ${c.req.method} ${c.req.path}` }, 404))
  app.onError(answerError)

  return app
}

export type EdgeApp = ReturnType<typeof createApp>
