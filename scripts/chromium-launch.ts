// How the dashboard's benchmark and end-to-end tests launch headless Chromium (Debian's full browser,
// /usr/bin/chromium, through playwright-core).
//
// Why the extra flags: the full browser run headless still builds its own window chrome, and Chromium 156
// renders the address bar's pop-up as a WebUI page (chrome://omnibox-popup.top-chrome, two of them) in
// a renderer of its own for every new browser context. A measurement opens a fresh context per sample, so
// each one paid for pop-ups nobody sees: on this 2-core machine 5 contexts on a trivial page took 12.7 s
// of CPU in the browser's processes (11 renderers) without the flags and 6.5 s (6 renderers) with them
// (bench/README.md, "queries"). Disabling the three WebUI omnibox features leaves the address bar on its
// native pop-up, which is only built when the bar is used — never, here. Nothing the page runs, loads
// or draws depends on them.
//
// The other switches a headless measurement wants off (--disable-extensions, --disable-component-update,
// --no-first-run, --disable-background-networking, --disable-sync) Playwright already passes by default.
//
// Why the merge: Chromium keeps only the last --disable-features on its command line, and Playwright
// passes its own list (PaintHolding, HttpsUpgrades, …) first; a second switch would silently drop that
// list and so change what the page does. So the launch replaces Playwright's switch by one that carries
// both lists, and checks the browser's real command line (/proc) that exactly one remains.
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { type Browser, chromium, type LaunchOptions } from 'playwright-core';

/** Browser UI features a headless measurement never shows (the address bar's WebUI pop-ups). */
export const HEADLESS_DISABLED_FEATURES = [
  'WebUIOmniboxPopup',
  'WebUIOmniboxFullPopup',
  'WebUIOmniboxAimPopup',
];

/** The sandbox needs user namespaces, which containers and root shells often lack. */
const BASE_ARGS = ['--no-sandbox', '--disable-dev-shm-usage'];
const DISABLE = '--disable-features=';
// A switch Chromium ignores, to find this launch's browser process among the machine's.
const MARKER = '--shouhou-launch=';

/** The command line of the browser process started with `marker`, from /proc (Linux). */
function commandLineOf(marker: string): string[] {
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    let args: string[];
    try {
      args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; // gone, or not ours to read
    }
    if (args.includes(marker) && !args.some((a) => a.startsWith('--type='))) return args;
  }
  throw new Error(`no browser process found with ${marker}`);
}

let playwrightDisabled: string | undefined;

/** Playwright's own --disable-features switch, exactly as it passes it (read once from a launch). */
async function playwrightDisableSwitch(executablePath: string): Promise<string> {
  if (playwrightDisabled) return playwrightDisabled;
  const marker = MARKER + randomUUID();
  const probe = await chromium.launch({ executablePath, args: [...BASE_ARGS, marker] });
  try {
    const found = commandLineOf(marker).filter((a) => a.startsWith(DISABLE));
    if (found.length !== 1) throw new Error(`expected one ${DISABLE} from Playwright, found ${found.length}`);
    playwrightDisabled = found[0]!;
    return playwrightDisabled;
  } finally {
    await probe.close();
  }
}

/**
 * Headless Chromium for measuring and testing the dashboard. `lean` (the default) adds
 * HEADLESS_DISABLED_FEATURES to Playwright's disabled features; `lean: false` is the plain launch, kept
 * as the benchmark's baseline.
 */
export async function launchChromium(
  executablePath: string,
  { lean = true, ...options }: { lean?: boolean } & LaunchOptions = {},
): Promise<Browser> {
  const args = [...BASE_ARGS, ...(options.args ?? [])];
  if (!lean) return chromium.launch({ ...options, executablePath, args });
  const theirs = await playwrightDisableSwitch(executablePath);
  const merged =
    DISABLE + [...theirs.slice(DISABLE.length).split(','), ...HEADLESS_DISABLED_FEATURES].join(',');
  const marker = MARKER + randomUUID();
  const browser = await chromium.launch({
    ...options,
    executablePath,
    ignoreDefaultArgs: [theirs],
    args: [...args, merged, marker],
  });
  const switches = commandLineOf(marker).filter((a) => a.startsWith(DISABLE));
  if (switches.length !== 1 || switches[0] !== merged) {
    await browser.close();
    throw new Error(`Chromium got ${switches.length} ${DISABLE} switches, not the merged one`);
  }
  return browser;
}
