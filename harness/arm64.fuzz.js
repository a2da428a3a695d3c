'use strict';
// jsfuzz target for the arm64 scenario family (arm64 and arm64-ext-sw scenarios; DESIGN §7, total decoding).
// Byte 0 picks scenario × reader × model; every further byte is one choice.
// Run:  npx jsfuzz harness/arm64.fuzz.js corpus/jsfuzz/arm64   (after `npm install`, which builds dist/)
// or:   npx ptefuzz fuzz --engine jsfuzz --scenario s9-contpte-fold-unfold …   (restarts jsfuzz, converts its artifacts)
const ptefuzz = require('../dist/index.js');
const { jsfuzzTarget } = require('./jsfuzz-session.js');

module.exports = { fuzz: jsfuzzTarget(ptefuzz, 'arm64') };
