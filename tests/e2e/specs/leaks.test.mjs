// The leak scan itself can fail: a canary in a binary file (as in a SQLite page) is found,
// and a clean tree passes.
import assert from "node:assert/strict";
import { mkdtemp, mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { CANARIES, fileLeaks } from "../leaks.mjs";

test("the leak scan finds a canary anywhere under a folder, in text or binary files", async () => {
  const dir = await mkdtemp(join(tmpdir(), "review-desk-leaks-"));
  try {
    await mkdir(join(dir, "Sandbox"), { recursive: true });
    await writeFile(join(dir, "Sandbox", "desk.sqlite-wal"), Buffer.concat([Buffer.from([0, 1, 2, 255]), Buffer.from(CANARIES[0]), Buffer.from([0])]));
    await writeFile(join(dir, "clean.log"), "nothing to see");
    const found = await fileLeaks(dir, CANARIES, { readdir, readFile });
    assert.deepEqual(found, [`${join(dir, "Sandbox", "desk.sqlite-wal")}: ${CANARIES[0]}`]);
    await rm(join(dir, "Sandbox"), { recursive: true });
    assert.deepEqual(await fileLeaks(dir, CANARIES, { readdir, readFile }), []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
