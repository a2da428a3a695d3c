'use strict';
// A harness target as `ptefuzz fuzz --engine jsfuzz` runs it (src/jsfuzz/run.ts). That command sets:
//   PTEFUZZ_JSFUZZ_SELECTION  JSON {scenarios, readers, contract, models, withBugModels}: the targets byte 0 picks from
//                             (the order of `ptefuzz fuzz` target selection)
//   PTEFUZZ_JSFUZZ_RUNS       exit (code 0) after exactly this many executions: jsfuzz has no run limit
//   PTEFUZZ_JSFUZZ_STATS      write {executions, targets: [per-target counts], activeMs, divergences} here: every
//                             1000 executions, on a divergence and when the worker exits (activeMs: from the
//                             first execution to the write, i.e. without jsfuzz's start-up; divergences: each
//                             input judged a divergence, {sha256, target, class}, so the command can tell an
//                             artifact that does not replay as one from a finding lost)
//   PTEFUZZ_JSFUZZ_TIMEOUT    the watchdog (seconds): each execution a watched call of this limit; one that does
//                             not return is stopped, uncounted, and thrown (HungExecution): jsfuzz writes its input
//                             as a crash artifact, which the command replays, watched, into a timeout crash file
//   PTEFUZZ_JSFUZZ_DROPPED    JSON [target indices]: targets dropped after too many hangs; an input that picks
//                             one is not executed (nor counted)
//   PTEFUZZ_JSFUZZ_READER_MODULES  a JSON file {absolute path: CommonJS text}: the command's --reader-module files,
//                             loaded from that text (this worker instruments every module it requires: the
//                             typescript package would cost it ~30 s), not probed again (the command did)
// Without them this is the plain family target (`npx jsfuzz harness/pae.fuzz.js DIR`, harness/arm64.fuzz.js).
const crypto = require('crypto');
const fs = require('fs');

function jsfuzzTarget(ptefuzz, family) {
  const { campaign, kernel } = ptefuzz;
  const env = process.env;
  if (
    !env.PTEFUZZ_JSFUZZ_SELECTION &&
    !env.PTEFUZZ_JSFUZZ_RUNS &&
    !env.PTEFUZZ_JSFUZZ_STATS &&
    !env.PTEFUZZ_JSFUZZ_TIMEOUT &&
    !env.PTEFUZZ_JSFUZZ_DROPPED &&
    !env.PTEFUZZ_JSFUZZ_READER_MODULES
  ) {
    return campaign.harnessFuzz(family);
  }
  const registry = kernel.builtinReaders();
  if (env.PTEFUZZ_JSFUZZ_READER_MODULES) {
    const { registerReaderModules } = require('../dist/cli/reader-modules.js');
    const transpiled = new Map(Object.entries(JSON.parse(fs.readFileSync(env.PTEFUZZ_JSFUZZ_READER_MODULES, 'utf8'))));
    registerReaderModules([...transpiled.keys()], registry, { probe: false, transpiled });
  }
  const targets = env.PTEFUZZ_JSFUZZ_SELECTION
    ? campaign.harnessSelection(JSON.parse(env.PTEFUZZ_JSFUZZ_SELECTION), registry).targets
    : campaign.harnessTargets(family);
  const watch = env.PTEFUZZ_JSFUZZ_TIMEOUT
    ? new (require('../dist/cli/watched-call.js').WatchedExecutions)(Number(env.PTEFUZZ_JSFUZZ_TIMEOUT))
    : undefined;
  const session = campaign.harnessSession(targets, watch);
  const dropped = new Set(env.PTEFUZZ_JSFUZZ_DROPPED ? JSON.parse(env.PTEFUZZ_JSFUZZ_DROPPED) : []);
  const runs = env.PTEFUZZ_JSFUZZ_RUNS ? Number(env.PTEFUZZ_JSFUZZ_RUNS) : Infinity;
  const statsPath = env.PTEFUZZ_JSFUZZ_STATS;
  let firstAt;
  const divergences = [];
  const save = () => {
    if (!statsPath) return;
    const tmp = `${statsPath}.tmp`;
    const activeMs = firstAt === undefined ? 0 : Date.now() - firstAt;
    const stats = { executions: session.executions, targets: session.stats, activeMs, divergences };
    fs.writeFileSync(tmp, JSON.stringify(stats));
    fs.renameSync(tmp, statsPath);
  };
  // jsfuzz's worker exits through process.exit() (on SIGINT at its next input, after a crash); SIGTERM too
  process.on('exit', save);
  process.on('SIGTERM', () => process.exit(0));
  return (buf) => {
    if (firstAt === undefined) firstAt = Date.now();
    if (session.executions >= runs) {
      save();
      process.exit(0);
    }
    if (dropped.has(buf.length > 0 ? buf[0] % targets.length : 0)) return;
    try {
      session.fuzz(buf);
    } catch (e) {
      if (e instanceof campaign.DivergenceError) {
        const sha256 = crypto.createHash('sha256').update(buf).digest('hex');
        divergences.push({ sha256, target: e.target, class: e.divergenceClass });
      }
      save();
      throw e;
    }
    if (session.executions % 1000 === 0) save();
  };
}

module.exports = { jsfuzzTarget };
