import { existsSync } from 'node:fs'
import type { Test } from 'tap'
import { chromium, type Browser } from 'playwright-core'

// Debian's Chromium (.ci/run installs it): playwright cannot download a browser here.
const CHROMIUM = '/usr/bin/chromium'
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync']
/** Starting Chromium and rendering a page is slow on a busy 2-core machine. */
export const BROWSER_TIMEOUT_MS = 120_000

/** The system's Chromium, headless, closed when the test ends; a test fails loudly without it. */
export async function launchChromium (t: Test): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install it with \`apt-get install chromium\` (.ci/run does)`)
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: BROWSER_TIMEOUT_MS })
  t.teardown(() => browser.close())
  return browser
}
