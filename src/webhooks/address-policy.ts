import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns'
import { isIP, type LookupFunction } from 'node:net'
import ipaddr from 'ipaddr.js'

/**
 * Whether an address is one the open internet routes to. Loopback, private
 * (RFC 1918, unique local), link-local (where cloud metadata services live:
 * 169.254.169.254, fd00:ec2::254), carrier-grade NAT, multicast, reserved
 * and unspecified addresses are not, nor IPv6 forms that embed an IPv4
 * address (mapped, NAT64, 6to4, Teredo), which could hide any of those.
 */
export function isPublicAddress (address: string): boolean {
  if (!ipaddr.isValid(address)) return false
  return ipaddr.parse(address).range() === 'unicast'
}

/** A webhook URL whose host is, or resolves to, an address it may not reach. */
export class RefusedAddressError extends Error {
  constructor (host: string, address: string) {
    super(`${host} resolves to ${address}, which is not a public address (loopback, private, link-local or metadata addresses are refused unless WEBHOOK_ALLOW_PRIVATE=true)`)
    this.name = 'RefusedAddressError'
  }
}

/** How host names are resolved: `dns.lookup` with `all: true`, or a stand-in of the same shape. */
export type Resolve = (hostname: string, options: LookupAllOptions, callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void

const systemResolve: Resolve = (hostname, options, callback) => dnsLookup(hostname, options, callback)

/** The URL's host as an address or name (IPv6 literals without their brackets). */
export function hostOf (url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1')
}

/**
 * The lookup an outgoing request connects with: it resolves the host, refuses
 * it (with RefusedAddressError) when any of its addresses is not public, and
 * hands the connection exactly the addresses it checked, so a name that
 * resolves to another address a moment later (DNS rebinding) cannot slip in.
 */
export function checkedLookup (resolve: Resolve = systemResolve): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error !== null) return callback(error, '', 0)
      const refused = addresses.find(({ address }) => !isPublicAddress(address))
      if (refused !== undefined) return callback(new RefusedAddressError(hostname, refused.address), '', 0)
      if (options.all === true) return (callback as unknown as (error: null, addresses: LookupAddress[]) => void)(null, addresses)
      const [first] = addresses as [LookupAddress]
      callback(null, first.address, first.family)
    })
  }
}

/**
 * Why a URL's host may not be sent to, or undefined when it may: an IP
 * literal is checked as it is, a name by resolving it now. Connections
 * check again as they are made (checkedLookup).
 */
export async function refusedHost (url: URL, resolve: Resolve = systemResolve): Promise<string | undefined> {
  const host = hostOf(url)
  if (isIP(host) !== 0) return isPublicAddress(host) ? undefined : new RefusedAddressError(host, host).message
  return new Promise((resolved) => {
    resolve(host, { all: true }, (error, addresses) => {
      if (error !== null) return resolved(`${host} does not resolve (${error.code ?? error.message})`)
      const refused = addresses.find(({ address }) => !isPublicAddress(address))
      resolved(refused === undefined ? undefined : new RefusedAddressError(host, refused.address).message)
    })
  })
}
