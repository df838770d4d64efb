// Test setup (vitest.config.ts), after the loopback guard: the driver reads these when it loads; the source
// sets them too, the tests make sure of it.
process.env.SNOWFLAKE_DISABLE_PLATFORM_DETECTION = "true"
process.env.SF_TELEMETRY_DISABLE_CONNECTION_SHAPE = "1"
process.env.SNOWFLAKE_DISABLE_MINICORE = "true"
