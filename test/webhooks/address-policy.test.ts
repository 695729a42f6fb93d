import type { LookupAddress } from 'node:dns'
import t from 'tap'
import { checkedLookup, isPublicAddress, RefusedAddressError, refusedHost, type Resolve } from '../../src/webhooks/address-policy.js'

t.test('only addresses the open internet routes to are public', async (t) => {
  const notPublic = [
    '127.0.0.1', '127.1.2.3', '10.0.0.1', '172.16.5.4', '192.168.0.1', '169.254.169.254', '100.100.100.200', '0.0.0.0',
    '255.255.255.255', '224.0.0.1', '192.0.2.1', '198.18.0.1',
    '::1', '::', 'fe80::1', 'fd00:ec2::254', 'fc00::1', 'ff02::1', '::ffff:127.0.0.1', '::ffff:8.8.8.8', '64:ff9b::7f00:1', '2002:7f00:1::', '2001:db8::1',
    'not an address', ''
  ]
  for (const address of notPublic) t.notOk(isPublicAddress(address), address)
  for (const address of ['8.8.8.8', '93.184.215.14', '1.1.1.1', '2606:4700:4700::1111', '2a00:1450:4001:82b::200e']) t.ok(isPublicAddress(address), address)
})

/** A resolver standing in for DNS: each call answers the next of `answers`. */
function resolverAnswering (...answers: Array<LookupAddress[] | NodeJS.ErrnoException>): Resolve & { calls: number } {
  const resolve = Object.assign((_hostname: string, _options: unknown, callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => {
    const answer = answers[Math.min(resolve.calls++, answers.length - 1)] as LookupAddress[] | NodeJS.ErrnoException
    setImmediate(() => Array.isArray(answer) ? callback(null, answer) : callback(answer, []))
  }, { calls: 0 })
  return resolve
}

const lookupWith = async (resolve: Resolve, all: boolean) => new Promise<unknown>((resolved, rejected) => {
  checkedLookup(resolve)('hooks.example.com', { all }, (error: Error | null, address: unknown, family?: number) => {
    if (error !== null) rejected(error)
    else resolved(all ? address : [address, family])
  })
})

t.test('a connection gets exactly the addresses checked; a name that now resolves elsewhere (DNS rebinding) is refused', async (t) => {
  const rebinding = resolverAnswering([{ address: '93.184.215.14', family: 4 }], [{ address: '127.0.0.1', family: 4 }])
  t.same(await refusedHost(new URL('https://hooks.example.com/'), rebinding), undefined, 'public when the webhook is made')
  await t.rejects(lookupWith(rebinding, false), new RefusedAddressError('hooks.example.com', '127.0.0.1'), 'loopback when it is sent to')

  const both = resolverAnswering([{ address: '2606:4700::1111', family: 6 }, { address: '93.184.215.14', family: 4 }])
  t.same(await lookupWith(both, true), [{ address: '2606:4700::1111', family: 6 }, { address: '93.184.215.14', family: 4 }])
  t.same(await lookupWith(both, false), ['2606:4700::1111', 6])
  const oneOfThem = resolverAnswering([{ address: '93.184.215.14', family: 4 }, { address: '10.0.0.5', family: 4 }])
  await t.rejects(lookupWith(oneOfThem, true), { message: /10\.0\.0\.5, which is not a public address/ }, 'one private address among public ones is enough to refuse')
  const failing = resolverAnswering(Object.assign(new Error('getaddrinfo ENOTFOUND hooks.example.com'), { code: 'ENOTFOUND' }))
  await t.rejects(lookupWith(failing, false), { code: 'ENOTFOUND' }, 'a resolver error fails the connection')
  t.equal(await refusedHost(new URL('https://hooks.example.com/'), failing), 'hooks.example.com does not resolve (ENOTFOUND)')
})

t.test('IP literals are checked as they are, without resolving', async (t) => {
  const never = resolverAnswering(new Error('resolved'))
  t.equal(await refusedHost(new URL('http://[::1]:8080/'), never), new RefusedAddressError('::1', '::1').message)
  t.equal(await refusedHost(new URL('http://169.254.169.254/'), never), new RefusedAddressError('169.254.169.254', '169.254.169.254').message)
  t.equal(await refusedHost(new URL('http://8.8.8.8/'), never), undefined)
  t.equal(never.calls, 0)
})
