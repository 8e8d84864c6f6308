// Runs s3rver in its own process, started with --openssl-legacy-provider: s3rver 3.7.1 mints
// list continuation tokens with a cipher Node 17+ only offers through the legacy provider.
// Usage: node --openssl-legacy-provider s3rver-process.cjs <json options>; prints {"port":n}.
const S3rver = require('s3rver');

const options = JSON.parse(process.argv[2] ?? '{}');
const server = new S3rver({ address: '127.0.0.1', port: 0, ...options });
server.run().then(
  (address) => process.stdout.write(`${JSON.stringify({ port: address.port })}\n`),
  (error) => {
    process.stderr.write(`${error.stack ?? error}\n`);
    process.exit(1);
  },
);
const stop = () => server.close().finally(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// Exit with the parent: stdin closes when the process that started us goes away.
process.stdin.resume();
process.stdin.on('end', stop);
