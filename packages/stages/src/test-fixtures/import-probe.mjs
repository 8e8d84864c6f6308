// Imports one module cold and prints { ms, modules, cdktfModules } as JSON: every module file
// loaded (ESM loads through a hook, CommonJS requires) counted once.
// Usage: node --import tsx import-probe.mjs <absolute path or package specifier>
import Module, { register } from 'node:module';
import { MessageChannel } from 'node:worker_threads';

const { port1, port2 } = new MessageChannel();
const loaded = new Set();
port1.on('message', (url) => loaded.add(String(url).replace(/^file:\/\//, '')));
port1.unref();
register(new URL('./import-probe-hooks.mjs', import.meta.url), { data: { port: port2 }, transferList: [port2] });
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (...args) {
  const file = resolveFilename.apply(this, args);
  loaded.add(file);
  return file;
};
const start = performance.now();
await import(process.argv[2]);
const ms = Math.round(performance.now() - start);
await new Promise((resolve) => setTimeout(resolve, 100));
const files = [...loaded].filter((f) => f.startsWith('/'));
const cdktfModules = files.filter((f) => /node_modules\/(cdktf|@cdktf)\//.test(f)).length;
console.log(JSON.stringify({ ms, modules: files.length, cdktfModules }));
