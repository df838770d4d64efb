/**
 * NO_PROXY as curl and undici's EnvHttpProxyAgent read it, for every client tablecast opens (the
 * Segment transport, the Databricks source). Pure: no proxy library is loaded to ask.
 */

/**
 * Whether NO_PROXY exempts a host: entries separated by commas or spaces; `*` exempts every host;
 * `example.com`, `.example.com` and `*.example.com` each exempt example.com and its subdomains;
 * `host:port` only that port; IP addresses as written (`127.0.0.1`, `::1` or `[::1]`; no CIDR
 * ranges). Loopback is not exempt by itself: name it (`localhost,127.0.0.1,::1`) to reach a local
 * receiver directly while a proxy is set.
 */
export const bypassesProxy = (noProxy: string | undefined, hostname: string, port: string): boolean => {
  if (noProxy === undefined) return false
  const host = hostname.replace(/^\[(.*)\]$/, "$1").toLowerCase()
  for (const raw of noProxy.split(/[\s,]+/)) {
    const entry = raw.trim().toLowerCase()
    if (entry === "") continue
    if (entry === "*") return true
    const { name, entryPort } = splitEntry(entry)
    if (entryPort !== undefined && entryPort !== port) continue
    const suffix = name.replace(/^\*?\./, "")
    if (suffix === "") continue
    if (host === suffix || host.endsWith(`.${suffix}`)) return true
  }
  return false
}

/** `host`, `host:port`, `[v6]`, `[v6]:port` or a bare IPv6 address (which has colons but no port). */
const splitEntry = (entry: string): { name: string; entryPort: string | undefined } => {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry)
  if (bracketed !== null) return { name: bracketed[1]!, entryPort: bracketed[2] }
  const hostPort = /^([^:]+):(\d+)$/.exec(entry)
  if (hostPort !== null) return { name: hostPort[1]!, entryPort: hostPort[2] }
  return { name: entry, entryPort: undefined }
}
