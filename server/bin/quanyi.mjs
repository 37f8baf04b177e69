#!/usr/bin/env node
// The `quanyi` command: the compiled server when it is current, else the sources through tsx (entry.mjs).
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chooseEntry } from './entry.mjs';

const entry = chooseEntry(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'));
if (!entry.compiled) {
  const { register } = await import('tsx/esm/api');
  register();
}
const { main } = await import(pathToFileURL(entry.file).href);
await main(process.argv);
