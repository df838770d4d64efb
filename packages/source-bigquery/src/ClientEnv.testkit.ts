// Test setup (vitest.config.ts), after the loopback guard: the client must never look for credentials or a
// project anywhere but where the tests say.
process.env.GOOGLE_CLOUD_PROJECT = ""
delete process.env.GCLOUD_PROJECT
process.env.METADATA_SERVER_DETECTION = "none"
