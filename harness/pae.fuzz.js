'use strict';
// jsfuzz target for the x86-PAE scenario family (DESIGN §7, total decoding).
// Byte 0 picks scenario × reader × model; every further byte is one choice.
// Run:  npx jsfuzz harness/pae.fuzz.js corpus/jsfuzz/pae   (after `npm install`, which builds dist/)
// or:   npx ptefuzz fuzz --engine jsfuzz   (restarts jsfuzz after each crash, converts its artifacts)
const ptefuzz = require('../dist/index.js');
const { jsfuzzTarget } = require('./jsfuzz-session.js');

module.exports = { fuzz: jsfuzzTarget(ptefuzz, 'pae') };
