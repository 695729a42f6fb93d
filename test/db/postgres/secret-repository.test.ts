import t from 'tap'
import { openPostgres } from './open-database.js'
import { ROUNDS, twoInstances } from './two-instances.js'

t.test('a secret is stored once: later calls answer it, not what they generated', async (t) => {
  const { secrets } = await openPostgres(t)
  t.equal(await secrets.getOrCreate('jwt', 'first'), 'first')
  t.equal(await secrets.getOrCreate('jwt', 'second'), 'first')
  t.equal(await secrets.getOrCreate('other', 'third'), 'third', 'each name has its own')
})

t.test('two instances creating one secret at once both answer the one stored', async (t) => {
  const [one, two] = await twoInstances(t)
  for (let round = 0; round < ROUNDS; round++) {
    const [mine, theirs] = await Promise.all([one.secrets.getOrCreate(`key-${round}`, 'one'), two.secrets.getOrCreate(`key-${round}`, 'two')])
    t.equal(mine, theirs)
  }
})
