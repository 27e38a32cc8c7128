// The .deb as the Tauri bundler makes it: the control fields apt resolves it by, dpkg installing
// it into a throwaway root, a desktop entry that validates, its icons, the installed binary
// starting on the Sandbox profile, and its removal. The package is bundled here from the debug build the other desktop tests use
// (`tauri bundle --debug`: the same bundler and config as `bash scripts/dev.sh package`, without
// a second, release build of the app); REVIEW_DESK_DEB names another .deb to check instead.
import assert from "node:assert/strict";
import { test } from "node:test";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launchDesk, repoRoot, stopDesk, waitText } from "../harness.mjs";

const run = promisify(execFile);
const CONFIG = JSON.parse(await readFile(join(repoRoot, "tauri.conf.json"), "utf8"));

/** Bundles the debug build into a .deb with the project's own Tauri CLI; returns its path. */
async function bundleDebug() {
  const out = join(repoRoot, "target/debug/bundle/deb");
  await rm(out, { recursive: true, force: true });
  await run(join(repoRoot, "ui/node_modules/.bin/tauri"), ["bundle", "--debug", "--bundles", "deb", "--ci"], {
    cwd: repoRoot,
    maxBuffer: 64 * 1024 * 1024,
  });
  const debs = (await readdir(out)).filter((f) => f.endsWith(".deb"));
  assert.equal(debs.length, 1, `one .deb expected in ${out}, found ${debs.join(", ")}`);
  return join(out, debs[0]);
}

/** How many pixels of `png` differ from icons/icon.svg rendered at the same size. */
async function pixelsOffTheSource(png, width, height) {
  const dir = await mkdtemp(join(tmpdir(), "review-desk-icon-"));
  try {
    const rendered = join(dir, "rendered.png");
    await run("rsvg-convert", ["-w", String(width), "-h", String(height), join(repoRoot, "icons/icon.svg"), "-o", rendered]);
    // `compare` prints the count on stderr and exits 1 when the images differ.
    const counted = await run("compare", ["-metric", "AE", png, rendered, "null:"]).catch((e) => e);
    return Number(String(counted.stderr).trim().split(" ")[0]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The `Key=value` lines of a desktop entry's main group. */
function desktopEntry(text) {
  const group = text.split(/^\[/m).find((g) => g.startsWith("Desktop Entry]")) ?? "";
  return Object.fromEntries(group.split("\n").slice(1).filter((l) => l.includes("=")).map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
}

test("the .deb declares its dependencies, installs with dpkg into a throwaway root with a valid desktop entry and icons, its binary starts on the Sandbox profile, and it removes cleanly", { timeout: 600_000 }, async () => {
  const deb = process.env.REVIEW_DESK_DEB ?? (await bundleDebug());
  const root = await mkdtemp(join(tmpdir(), "review-desk-deb-root-"));
  try {
    // What apt reads: the package's name, version and dependencies.
    const control = (await run("dpkg-deb", ["--field", deb])).stdout;
    const field = (name) => new RegExp(`^${name}: (.*)$`, "m").exec(control)?.[1] ?? "";
    assert.equal(field("Version"), CONFIG.version);
    const depends = field("Depends").split(/,\s*/).map((d) => d.split(" ")[0]);
    for (const needed of ["libwebkit2gtk-4.1-0", "libgtk-3-0"]) assert.ok(depends.includes(needed), `Depends lacks ${needed}: ${field("Depends")}`);
    assert.match(field("Recommends"), /gnome-keyring/);
    // apt accepts the file and finds every dependency on this Debian system (a dry run).
    const plan = await run("apt-get", ["install", "--simulate", "--no-install-recommends", deb], { maxBuffer: 16 * 1024 * 1024 });
    assert.match(plan.stdout, new RegExp(`^Inst ${field("Package")} `, "m"), plan.stdout);

    // Installed by dpkg into a throwaway root with its own package database (its dependencies
    // are the host's, resolved by apt above), and registered there as installed.
    const pkg = field("Package");
    await mkdir(join(root, "var/lib/dpkg/info"), { recursive: true });
    await mkdir(join(root, "var/lib/dpkg/updates"), { recursive: true });
    await writeFile(join(root, "var/lib/dpkg/status"), "");
    const dpkg = (...args) => run("dpkg", [`--root=${root}`, "--force-not-root", "--force-depends", "--log=/dev/null", ...args]);
    await dpkg("--install", deb);
    const query = (...args) => run("dpkg-query", [`--root=${root}`, ...args]);
    assert.equal((await query("-W", "-f=${Status}", pkg)).stdout, "install ok installed");
    const listed = (await query("-L", pkg)).stdout.split("\n");
    assert.ok(listed.includes("/usr/bin/review-desk"), listed.join("\n"));
    const entries = (await readdir(join(root, "usr/share/applications"))).filter((f) => f.endsWith(".desktop"));
    assert.equal(entries.length, 1, `one desktop entry expected, found ${entries.join(", ")}`);
    const entryFile = join(root, "usr/share/applications", entries[0]);
    await run("desktop-file-validate", [entryFile]); // throws with its findings on any error
    const entry = desktopEntry(await readFile(entryFile, "utf8"));
    assert.equal(entry.Name, CONFIG.productName);
    assert.equal(entry.Type, "Application");
    const binary = join(root, "usr/bin", entry.Exec.split(" ")[0]);
    assert.ok(existsSync(binary), `Exec names ${entry.Exec}, not installed at ${binary}`);

    // The icon the entry names, at every size the config lists, each a PNG of that size
    // rendered from the one vector source, icons/icon.svg.
    const icons = join(root, "usr/share/icons/hicolor");
    const sizes = [];
    for (const dir of await readdir(icons)) {
      const icon = join(icons, dir, "apps", `${entry.Icon}.png`);
      if (!existsSync(icon)) continue;
      const [width, height] = (await run("identify", ["-format", "%m %w %h", icon])).stdout.split(" ").slice(1).map(Number);
      assert.equal((await run("identify", ["-format", "%m", icon])).stdout, "PNG");
      assert.equal(dir.replace(/@2$/, ""), `${width}x${height}`, `${icon} is ${width}x${height}`);
      assert.equal(await pixelsOffTheSource(icon, width, height), 0, `${icon} is not icons/icon.svg at ${width}x${height}: run bash scripts/dev.sh icons`);
      sizes.push(dir);
    }
    const listedSizes = CONFIG.bundle.icon.map((f) => (f.endsWith("icon.png") ? "512x512" : f.replace(/^icons\/|\.png$/g, "")));
    for (const size of listedSizes) assert.ok(sizes.includes(size), `the config lists ${size}; installed: ${sizes.join(", ")}`);

    // Every file the package lists is one dpkg put in the root.
    for (const file of listed.filter((f) => f.startsWith("/usr/"))) assert.ok(existsSync(join(root, file)), `${file} is listed but not installed`);

    // The installed binary starts and opens on the built-in Sandbox profile.
    const desk = await launchDesk({ name: "package, installed binary", app: binary });
    try {
      await desk.browser.$('[data-testid="simulated-banner"]').waitForExist({ timeout: 60_000 });
      await waitText(desk.browser, "queue-count", /^\d+ in review$/, 60_000);
      await waitText(desk.browser, "statusbar", /Profile: Sandbox/);
    } finally {
      await stopDesk(desk);
    }

    // Removed, it leaves none of its files behind.
    await dpkg("--remove", pkg);
    assert.equal(existsSync(binary), false, "the binary stays after removal");
    assert.equal(existsSync(entryFile), false, "the desktop entry stays after removal");
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
