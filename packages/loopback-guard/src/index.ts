import dns from "node:dns"
import net from "node:net"
import tls from "node:tls"

/**
 * Test setup, loaded before any test file (a package's vitest.config.ts lists "@tablecast/loopback-guard" in
 * `setupFiles`): every socket and TLS connection this process opens is recorded, and one to anything but
 * loopback is refused before a packet leaves (the socket is destroyed instead of connected, a TLS connection
 * throws). Host names looked up are recorded too. The suites assert that nothing was refused, which is how
 * the "loopback only" rule is checked, and the guard makes sure that a driver that tried anyway would not get
 * through. The records live on globalThis and the patch is applied once, so every copy of this module loaded
 * in one process (the setup file's and a test's import) sees the same records.
 */

export interface ConnectAttempt {
  readonly host: string
  readonly port: number | undefined
  readonly allowed: boolean
}

interface Records {
  readonly connects: Array<ConnectAttempt>
  readonly lookups: Array<string>
}

const shared = globalThis as { __tablecastNet?: Records }
shared.__tablecastNet ??= { connects: [], lookups: [] }
const records: Records = shared.__tablecastNet

export const isLoopback = (host: string): boolean =>
  host === "localhost" || host === "::1" || /^127(?:\.\d{1,3}){3}$/.test(host) || /^::ffff:127(?:\.\d{1,3}){3}$/.test(host)

/** Every TCP connection attempted by this process so far. */
export const connectAttempts = (): ReadonlyArray<ConnectAttempt> => records.connects
/** Every host name looked up so far. */
export const lookups = (): ReadonlyArray<string> => records.lookups

const patched = Symbol.for("tablecast.loopbackOnly")
const socketPrototype = net.Socket.prototype as unknown as Record<PropertyKey, unknown> & { connect: (...args: Array<unknown>) => unknown }
if (socketPrototype[patched] !== true) {
  socketPrototype[patched] = true
  const connect = socketPrototype.connect
  socketPrototype.connect = function (this: net.Socket, ...args: Array<unknown>) {
    // net.connect() passes [options, callback] as one normalized array.
    const first = Array.isArray(args[0]) ? (args[0] as Array<unknown>)[0] : args[0]
    let host: string | undefined
    let port: number | undefined
    let path: string | undefined
    if (typeof first === "object" && first !== null) {
      const options = first as { host?: string; port?: number | string; path?: string }
      host = options.host
      port = options.port === undefined ? undefined : Number(options.port)
      path = options.path
    } else if (typeof first === "number" || (typeof first === "string" && /^\d+$/.test(first))) {
      port = Number(first)
      host = typeof args[1] === "string" ? args[1] : undefined
    } else if (typeof first === "string") {
      path = first
    }
    if (path === undefined) {
      const target = host ?? "localhost"
      const allowed = isLoopback(target)
      records.connects.push({ host: target, port, allowed })
      if (!allowed) {
        const error = new Error(`test guard: refused a connection to ${target}:${port ?? "?"} (only loopback is allowed)`)
        process.nextTick(() => this.destroy(error))
        return this
      }
    }
    return connect.apply(this, args)
  }
  // HTTPS (the Databricks driver, for one) connects through tls.connect, which the socket patch above does not see in every setup.
  const tlsConnect = tls.connect
  ;(tls as { connect: unknown }).connect = (...args: Array<unknown>) => {
    const first = args[0]
    const options = (typeof first === "object" && first !== null ? first : typeof args[1] === "object" && args[1] !== null ? args[1] : {}) as {
      host?: string
      port?: number | string
      socket?: unknown
    }
    // TLS over a socket already open (a proxy's CONNECT tunnel) opens no connection: that socket was checked when it connected.
    if (options.socket !== undefined) return (tlsConnect as (...all: Array<unknown>) => unknown).apply(tls, args)
    const target = options.host ?? (typeof args[1] === "string" ? args[1] : "localhost")
    const port = options.port ?? (typeof first === "number" ? first : undefined)
    const allowed = isLoopback(target)
    records.connects.push({ host: target, port: port === undefined ? undefined : Number(port), allowed })
    if (!allowed) throw new Error(`test guard: refused a TLS connection to ${target}:${port ?? "?"} (only loopback is allowed)`)
    return (tlsConnect as (...all: Array<unknown>) => unknown).apply(tls, args)
  }
  const lookup = dns.lookup
  ;(dns as { lookup: unknown }).lookup = (hostname: string, ...rest: Array<unknown>) => {
    records.lookups.push(hostname)
    return (lookup as (...args: Array<unknown>) => unknown).call(dns, hostname, ...rest)
  }
}
