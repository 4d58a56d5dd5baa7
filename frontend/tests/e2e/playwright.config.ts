import { defineConfig } from '@playwright/test'

// Real Chromium (Debian's /usr/bin/chromium; playwright never downloads a browser here) against a
// real `koctl serve` started by global-setup.ts on a fresh data dir.
export default defineConfig({
  testDir: '.',
  timeout: 60_000,
  workers: 1,
  globalSetup: './global-setup.ts',
  reporter: 'line',
  use: {
    browserName: 'chromium',
    launchOptions: { executablePath: process.env.KO_CHROMIUM ?? '/usr/bin/chromium' },
    screenshot: 'only-on-failure',
  },
})
