'use strict';
// jsfuzz target for the x86-PAE scenario family (DESIGN §7, total decoding).
// Byte 0 picks scenario × reader × model; every further byte is one choice.
// Run:  npx jsfuzz harness/pae.fuzz.js corpus/jsfuzz/pae   (after `npm install`, which builds dist/)
const { campaign } = require('../dist/index.js');

module.exports = { fuzz: campaign.harnessFuzz('pae') };
