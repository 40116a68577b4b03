// The status page in headless Chromium (Debian's chromium, driven by playwright-core),
// against examples/status_page.rs, whose checks this script steers over HTTP. Run by
// tests/browser.rs with STATUS_PAGE_URL and SCREENSHOT_DIR set; exits non-zero on the
// first failed expectation, saying which.
import { readFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const url = process.env.STATUS_PAGE_URL;
const origin = new URL(url).origin;
const shots = process.env.SCREENSHOT_DIR;
mkdirSync(shots, { recursive: true });

const expect = (condition, what) => {
  if (!condition) throw new Error("expected: " + what);
  console.log("ok: " + what);
};
const control = async (path, body = "") => {
  const response = await fetch(origin + path, { method: "POST", body });
  expect(response.ok, `POST ${path} answers (${response.status})`);
};
const steer = (name, status, message) => control(`/control/check/${name}/${status}`, message);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox"],
});
const requests = [];
const problems = [];
/** A page in a fresh context; every request and console error recorded. */
const open = async (options = {}) => {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  page.on("request", (request) => requests.push(request.url()));
  page.on("console", (message) => {
    // The browser asks for /favicon.ico by itself; the page names no icon.
    const at = message.location().url || "";
    if (message.type() === "error" && !at.endsWith("/favicon.ico")) {
      problems.push(`${message.text()} (${at})`);
    }
  });
  page.on("pageerror", (error) => problems.push(String(error)));
  await page.goto(url);
  return page;
};
/** Milliseconds until `predicate` holds in `page`; fails past `limit`. */
const within = async (page, limit, what, predicate, argument) => {
  const started = Date.now();
  await page.waitForFunction(predicate, argument, { timeout: limit, polling: 20 });
  const took = Date.now() - started;
  expect(took <= limit, `${what} within ${limit} ms (${took} ms)`);
  return took;
};
const phaseIs = (phase) => document.getElementById("phase").textContent === phase;
const rowStatus = ([name, status]) =>
  document.querySelector(`tr[data-check="${name}"] .badge`)?.textContent === status;

// What a page shows, to compare with JavaScript on and off.
const content = (page) =>
  page.evaluate(() => ({
    phase: document.getElementById("phase").textContent,
    note: document.getElementById("phase-note").textContent.replace(/\d+ s/, "N s"),
    failing: document.getElementById("failing").innerText,
    rows: [...document.querySelectorAll("tr[data-check]")].map((row) => ({
      name: row.dataset.check,
      status: row.querySelector(".badge").textContent,
      output: row.querySelector("td.output").innerText,
      flapping: !row.querySelector(".flap").hidden,
      // Each load runs the checks again (their results are never reused): the bars
      // differ by those runs, so what is compared is that each has one.
      bar: row.querySelector(".bar").children.length > 0,
    })),
  }));

// 1. STARTING, then UP through the stream, without a reload.
const live = await open();
await live.waitForFunction(() => document.documentElement.dataset.live === "on");
expect(await live.evaluate(phaseIs, "STARTING"), "the page opens STARTING while warmup fails");
await live.evaluate(() => { window.notReloaded = true; });
await steer("warmup", "pass", "cache loaded");
await within(live, 1000, "UP shows", phaseIs, "UP");

// 2. A check that fails shows within 1 s; the failure is grouped under its root cause.
await steer("db", "fail", "connection refused");
await within(live, 1000, "db's failure shows", rowStatus, ["db", "fail"]);
await within(live, 1000, "DOWN shows", phaseIs, "DOWN");
await within(live, 2000, "db's dependants fold under it", () =>
  document.getElementById("failing").textContent.includes("2 checks blocked by db"));
expect(
  (await live.textContent('tr[data-check="db"] td.output')) === "connection refused",
  "db's message shows",
);

// 3. A warning, and a check that flaps.
await steer("cache", "warn", "slow: 900 ms");
await within(live, 1000, "cache's warning shows", rowStatus, ["cache", "warn"]);
for (let round = 0; round < 12; round++) {
  await steer("flappy", round % 2 === 0 ? "fail" : "pass", `round ${round}`);
}
await within(live, 1000, "flappy is marked flapping", () =>
  !document.querySelector('tr[data-check="flappy"] .flap').hidden);
expect(await live.evaluate(() => window.notReloaded === true), "every update came through the stream");

// 4. Markup in a message or detail is text.
const hostile = await live.evaluate(() => ({
  hacked: window.hacked,
  scripts: document.querySelectorAll("script").length,
  output: document.querySelector('tr[data-check="hostile"] td.output').textContent,
  bold: document.querySelectorAll("td.output b").length,
}));
expect(hostile.hacked === undefined, "no script from a check's output ran");
expect(hostile.scripts === 1, "the page's own script is its only one");
expect(hostile.bold === 0, "no markup from a check's output became an element");
expect(hostile.output.includes("<script>window.hacked = 1</script>"), "the output shows as text");
expect(hostile.output.includes("</style><script>window.hacked = 2</script>"), "the detail shows as text");

// 5. The same content with JavaScript off as on, in a fresh load of each.
const on = await open();
const off = await open({ javaScriptEnabled: false });
const withScript = await content(on);
const withoutScript = await content(off);
expect(
  JSON.stringify(withScript) === JSON.stringify(withoutScript),
  "JavaScript off shows the same content:\n" + JSON.stringify(withScript) + "\n" + JSON.stringify(withoutScript),
);
expect(withoutScript.rows.some((row) => row.status === "pass"), "a passing check shows");
expect(
  withoutScript.rows.find((row) => row.name === "hostile").output.includes("</style>"),
  "JavaScript off: markup shows as text",
);

// 6. Both themes: screenshots, and axe-core finds no violation in either.
for (const colorScheme of ["light", "dark"]) {
  const page = await open({ colorScheme, bypassCSP: true, viewport: { width: 1280, height: 900 } });
  await page.screenshot({ path: `${shots}/status-page-${colorScheme}.png`, fullPage: true });
  const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  expect(
    (colorScheme === "dark") === (background !== "rgb(255, 255, 255)"),
    `${colorScheme} theme background ${background}`,
  );
  // The policy keeps out every script but the page's own: axe is let in for this check only.
  await page.addScriptTag({ content: axeSource });
  const results = await page.evaluate(() => window.axe.run(document));
  for (const violation of results.violations) {
    console.error(violation.id, violation.help, violation.nodes.map((node) => node.html));
  }
  expect(results.violations.length === 0, `axe-core: no violation in the ${colorScheme} theme`);
  expect(results.passes.length > 20, `axe-core ran its rules (${results.passes.length} passed)`);
}

// 7. STOPPING with the drain's time left, through the stream and with JavaScript off.
await control("/control/shutdown");
await within(live, 1000, "STOPPING shows", phaseIs, "STOPPING");
const note = await live.textContent("#phase-note");
const left = Number(/drain ends in (\d+) s/.exec(note)?.[1]);
expect(left > 50 && left <= 60, `the drain's time left shows (${note})`);
await off.reload();
expect(await off.evaluate(phaseIs, "STOPPING"), "JavaScript off: STOPPING");
expect((await off.textContent("#phase-note")).includes("the drain ends in"), "JavaScript off: the drain's time left");

// 8. STOPPED: the stream ends, the page says it no longer updates; a reload shows STOPPED.
await control("/control/stop");
await within(live, 1000, "the end of the stream shows", () =>
  document.getElementById("phase-note").textContent.includes("no longer updates"));
await off.reload();
expect(await off.evaluate(phaseIs, "STOPPED"), "JavaScript off: STOPPED");

// Nothing from another origin was asked for, and the policy refused nothing of the page's.
const elsewhere = requests.filter((request) => new URL(request).origin !== origin);
expect(elsewhere.length === 0, "every request went to the page's origin: " + elsewhere.join(", "));
expect(problems.length === 0, "no console error or policy violation: " + problems.join(" | "));
await browser.close();
console.log("all expectations met");
