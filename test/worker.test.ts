import t from 'tap'
import { runToExit } from './helper.js'

t.test('npm run worker refuses a bad setting with exit 1 and a line naming it, as the server does', async (t) => {
  const { code, output } = await runToExit('src/worker.ts', { JOB_CONCURRENCY: 'several' })
  t.equal(code, 1)
  t.match(output, 'Invalid setting JOB_CONCURRENCY="several": must be integer')
})
