import t from 'tap'
import { checkSignature, standardSignature } from '../../src/webhooks/signatures.js'

// The example of the Standard Webhooks specification: a receiver built on any
// of its libraries verifies what this signs, and the other way round.
const SPEC = { secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', id: 'msg_p5jXN8AQM9LWM0D4loKWxJek', timestamp: 1614265330, body: '{"test": 2432232314}' }

t.test('a Standard Webhooks signature is the specification\'s own example', async (t) => {
  t.equal(standardSignature(SPEC.secret, SPEC.id, SPEC.timestamp, SPEC.body), 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=')
})

t.test('Standard Webhooks headers: any listed signature may match; the timestamp must be within 5 minutes', async (t) => {
  const headers = (signature: string, timestamp = String(SPEC.timestamp)) => ({ 'webhook-id': SPEC.id, 'webhook-timestamp': timestamp, 'webhook-signature': signature })
  const body = Buffer.from(SPEC.body)
  const valid = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE='
  t.equal(checkSignature(SPEC.secret, headers(valid), body, SPEC.timestamp + 300), undefined)
  t.equal(checkSignature(SPEC.secret, headers(`v1,b2xk v1a,xyz ${valid}`), body, SPEC.timestamp), undefined, 'one of several (a secret being rotated)')
  t.equal(checkSignature(SPEC.secret, headers(valid), body, SPEC.timestamp + 301), 'stale')
  t.equal(checkSignature(SPEC.secret, headers(valid), body, SPEC.timestamp - 301), 'stale', 'or too far ahead')
  t.equal(checkSignature(SPEC.secret, headers(valid), Buffer.from('{"test": 2432232315}'), SPEC.timestamp), 'mismatch')
  t.equal(checkSignature(SPEC.secret, headers(valid, 'soon'), body, SPEC.timestamp), 'missing')
  t.equal(checkSignature(SPEC.secret, { 'webhook-signature': valid }, body, SPEC.timestamp), 'missing')
  t.equal(checkSignature(SPEC.secret, {}, body, SPEC.timestamp), 'missing')
})
