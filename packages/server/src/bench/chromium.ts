import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium; Playwright's own browser download does not work on this project's machines. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Headless, and without the background networking a closed network refuses. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}
