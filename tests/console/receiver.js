// A StatusCallback receiver for the console tests: records every POST it gets and shows
// them at GET /received. Prints its base URL as the first line of stdout.
"use strict";
const http = require("node:http");

const received = [];
const server = http.createServer((req, res) => {
  if (req.method === "GET" && req.url === "/received") {
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(JSON.stringify(received));
    return;
  }
  let body = "";
  req.on("data", (c) => {
    if (body.length < 1 << 16) body += c;
  });
  req.on("end", () => {
    if (received.length < 1000) {
      received.push({
        path: req.url,
        signature: req.headers["x-twilio-signature"] || null,
        params: Object.fromEntries(new URLSearchParams(body)),
      });
    }
    res.writeHead(204);
    res.end();
  });
});
server.listen(0, "127.0.0.1", () => {
  console.log(`receiver listening on http://127.0.0.1:${server.address().port}`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
